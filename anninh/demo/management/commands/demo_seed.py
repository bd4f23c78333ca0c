"""Load the synthetic demo data for Hai Phong (idempotent), with a progress bar over its steps,
then print what it made and the demo logins (in the language of the settings: headers and
role names alike)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from tqdm import tqdm

from anninh.demo.services import DEMO_PASSWORD, SEEDERS, demo_login_rows, demo_seed, demo_summary
from anninh.records.demo import PHASES


class Command(BaseCommand):
    help = "Create the demo accounts and synthetic records (demo mode only; safe to re-run)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, no_progress: bool = False, **options):
        # One step per seeder and per phase of the records (the long part: 20,000 incidents).
        bar = (
            None
            if no_progress
            else tqdm(total=len(SEEDERS) + len(PHASES), unit="step", file=self.stderr._out)
        )

        def step(name: str) -> None:
            if bar is None:
                self.stdout.write(f"== demo data: {name}")
                return
            bar.set_description(name)
            bar.update(1)

        try:
            results = demo_seed(progress=step)
        finally:
            if bar is not None:
                bar.n = bar.total
                bar.close()
        self.stdout.write("")
        self.stdout.write(_("Demo data:"))
        for label, value in demo_summary(results):
            self.stdout.write(f"  {label}: {value}")
        self.stdout.write("")
        self.stdout.write(_("Demo logins (synthetic accounts, demo mode only):"))
        rows = [(_("User name"), _("Role"), _("Unit"), _("Password"))]
        rows += [(username, role, unit, DEMO_PASSWORD) for username, role, unit in demo_login_rows()]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        for row in rows:
            self.stdout.write(
                "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[3]
            )

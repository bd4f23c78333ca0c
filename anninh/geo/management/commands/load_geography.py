"""Load or refresh the 114 commune-level units from anninh/geo/data (idempotent)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from anninh.geo.services import load_communes


class Command(BaseCommand):
    help = "Create or update the communes of Hai Phong from the files in anninh/geo/data (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def handle(self, *args, **options):
        show = not options["no_progress"] and options["verbosity"] > 0

        def progress(items, total):
            return tqdm(
                items,
                total=total,
                desc="communes",
                unit="unit",
                disable=not show,
                file=getattr(self.stderr, "_out", sys.stderr),
            )

        result = load_communes(progress=progress)
        summary = result.as_dict()
        self.stdout.write(
            f"communes: {summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged"
        )
        if result.stale:
            self.stdout.write(
                self.style.WARNING(f"in the database but not in the source: {', '.join(result.stale)}")
            )

"""Generate synthetic incidents for Hai Phong (demo, benchmarks), written in bulk.

    manage.py records_generate --incidents 1000000 [--seed 42]        # into the database
    manage.py records_generate --incidents 1000000 --csv big.csv      # a file in the import format

Deterministic in the seed; running it again with the same seed writes nothing. Never in
production (ANNINH_PRODUCTION=1).
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from anninh.records.demo import DEMO_SEED, PHASES, records_generate, write_plan_csv


class Command(BaseCommand):
    help = "Generate N synthetic incidents (with people, cases, reports, fire and rescue) in bulk."

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, required=True)
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument(
            "--csv", type=Path, help="Write the incidents to this CSV file instead of the database."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, incidents: int, seed: int, csv: Path | None, no_progress: bool, **options):
        if incidents <= 0:
            raise CommandError("--incidents must be positive")
        if csv is not None:
            bar = None if no_progress else tqdm(total=incidents, unit="rows", file=self.stderr._out)
            count = write_plan_csv(csv, incidents=incidents, seed=seed, progress=bar.update if bar else None)
            if bar:
                bar.close()
            self.stdout.write(self.style.SUCCESS(f"{count} synthetic incidents written to {csv}"))
            return
        bar = None if no_progress else tqdm(total=len(PHASES), unit="step", file=self.stderr._out)

        def step(message: str) -> None:
            if bar is not None:
                bar.set_description(message.removeprefix("records: "))
                bar.update(1)

        try:
            result = records_generate(incidents=incidents, seed=seed, progress=step)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        finally:
            if bar is not None:
                bar.close()
        if result.get("skipped"):
            self.stdout.write(f"seed {seed} was already generated: nothing written")
        else:
            self.stdout.write(self.style.SUCCESS(", ".join(f"{k} {v}" for k, v in result.items())))

"""Create or update the seeded police units (City Police, departments, commune police)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand
from tqdm import tqdm

from anninh.org.services import load_units


class Command(BaseCommand):
    help = (
        "Create or update the City Police, its departments (anninh/org/data/units-2025.csv) and one "
        "commune police unit per commune (idempotent). Run load_geography first on an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def handle(self, *args, **options):
        show = not options["no_progress"] and options["verbosity"] > 0

        def progress(items, total):
            return tqdm(
                items,
                total=total,
                desc="units",
                unit="unit",
                disable=not show,
                file=getattr(self.stderr, "_out", sys.stderr),
            )

        result = load_units(progress=progress)
        summary = result.as_dict()
        self.stdout.write(
            f"police units: {summary['created']} created, {summary['updated']} updated, "
            f"{summary['unchanged']} unchanged"
        )
        if result.closed:
            self.stdout.write(
                self.style.WARNING(f"closed by an administrator, left alone: {', '.join(result.closed)}")
            )

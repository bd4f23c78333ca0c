"""Load a gazetteer of named places (CSV: name,lat,lon[,kind]; or GeoJSON points)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anninh.geo.landmarks import landmarks_load


class Command(BaseCommand):
    help = (
        "Add the named places of a gazetteer file (CSV with name,lat,lon[,kind] or GeoJSON points) "
        "as landmarks that name forecast cells and patrol assignments. Idempotent; points outside "
        "the city are skipped and counted; any malformed row stops the load with nothing written."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", default="", help="Where the file comes from (default: its name).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and write nothing.")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        result = landmarks_load(path, source=options["source"], dry_run=options["dry_run"])
        for number, message in result.problems:
            self.stderr.write(f"row {number}: {message}")
        if result.problems:
            raise CommandError(f"{len(result.problems)} bad rows: nothing was loaded")
        verb = "would add" if result.dry_run else "added"
        self.stdout.write(
            f"landmarks: {verb} {result.created}, {result.unchanged} already there, "
            f"{result.outside} outside the city skipped"
        )

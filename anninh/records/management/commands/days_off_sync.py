"""Load the shipped days-off table (anninh/records/data/days_off.csv) and recompute the due
dates of the crime reports whose clock is running."""

from django.core.management.base import BaseCommand
from django.db import transaction

from anninh.records.models import DayOff
from anninh.records.reference import days_off_load
from anninh.records.services.clock import days_off_gaps, reports_reclock


class Command(BaseCommand):
    help = "Load the days-off table from the shipped file and recompute the due dates of open crime reports."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Also delete the days of the file's years that are no longer in the file.",
        )

    def handle(self, *args, prune: bool = False, **options):
        with transaction.atomic():
            rows = days_off_load(DayOff, prune=prune)
            changed = reports_reclock(actor=None, reason="days_off_sync")
        self.stdout.write(f"days off: {rows} in the file; reports whose due date changed: {changed}")
        gaps = days_off_gaps()
        if gaps:
            self.stderr.write(f"no holiday data for: {', '.join(map(str, gaps))}")

"""Check (and repair) CompStat's monthly counts against the records.

    ./dev manage compstat_aggregates            # compare; exit 1 listing the differences
    ./dev manage compstat_aggregates --rebuild  # reinstall the triggers and recount everything

The counts are kept by database triggers (anninh.compstat.aggregates), so the check should
always pass; it is the proof, and the weekly cron job that would notice a restore or a manual
edit made with the triggers disabled.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anninh.compstat import aggregates

SHOWN = 20


class Command(BaseCommand):
    help = "Compare CompStat's monthly counts (incidents, losses, victims, fire and rescue) with the records (exit 1 on a difference); --rebuild recounts."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Reinstall the triggers and recount.")

    def handle(self, *args, rebuild: bool, **options):
        if rebuild:
            aggregates.install()
            rows = aggregates.rebuild()
            self.stdout.write(f"Rebuilt: {rows} monthly rows, triggers installed.")
            return
        if not aggregates.installed():
            raise CommandError("The triggers are missing: run with --rebuild.")
        differences = aggregates.verify()
        if differences:
            for d in differences[:SHOWN]:
                self.stderr.write(d.describe())
            if len(differences) > SHOWN:
                self.stderr.write(f"… and {len(differences) - SHOWN} more")
            raise CommandError(
                f"{len(differences)} monthly counts differ from the records: run with --rebuild."
            )
        self.stdout.write("The monthly counts match the records.")

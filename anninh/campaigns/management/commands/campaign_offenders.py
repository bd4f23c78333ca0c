"""Check (and repair) the suspects of cleared cases against the records.

    ./dev manage campaign_offenders            # compare; exit 1 listing the differences
    ./dev manage campaign_offenders --rebuild  # reinstall the triggers and recompute every row

The rows are kept by database triggers (anninh.campaigns.offenders), so the check should
always pass; it is the proof, and the weekly cron job that would notice a restore or a manual
edit made with the triggers disabled.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anninh.campaigns import offenders

SHOWN = 20


class Command(BaseCommand):
    help = "Compare the suspects of cleared cases (offenders identified) with the records (exit 1 on a difference); --rebuild recomputes."

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="Reinstall the triggers and recompute.")

    def handle(self, *args, rebuild: bool, **options):
        if rebuild:
            offenders.install()
            rows = offenders.rebuild()
            self.stdout.write(f"Rebuilt: {rows} suspects of cleared cases, triggers installed.")
            return
        if not offenders.installed():
            raise CommandError("The triggers are missing: run with --rebuild.")
        differences = offenders.verify()
        if differences:
            for kind, row in differences[:SHOWN]:
                self.stderr.write(
                    f"{kind}: case {row[0]}, person {row[1]}, unit {row[2]}, identified {row[3]}"
                )
            if len(differences) > SHOWN:
                self.stderr.write(f"… and {len(differences) - SHOWN} more")
            raise CommandError(f"{len(differences)} rows differ from the records: run with --rebuild.")
        self.stdout.write("The suspects of cleared cases match the records.")

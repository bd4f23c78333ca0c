"""Make the reports that are due (last complete week, last complete month) if missing.
Idempotent: run it from cron every Monday morning, or daily."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from anninh.reports.services import reports_run_due


class Command(BaseCommand):
    help = "Make the weekly and monthly CompStat reports that are due and not yet stored."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="pretend today is YYYY-MM-DD (for catching up)")
        parser.add_argument("--lang", action="append", choices=["vi", "en"], help="languages (default vi)")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today must be YYYY-MM-DD") from exc
        for report, created in reports_run_due(today=today, languages=tuple(options["lang"] or ["vi"])):
            self.stdout.write(f"{'made' if created else 'already stored'}: {report.title}")

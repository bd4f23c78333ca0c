"""Run the early-warning rules once (cron: daily, or hourly; idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anninh.alerts.models import AlertKind
from anninh.alerts.services import alerts_run


class Command(BaseCommand):
    help = "Run the early-warning rules and raise alerts (a condition with a live alert raises nothing new)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", choices=AlertKind.values, help="only these rules")
        parser.add_argument("--no-deliver", action="store_true", help="raise without telling subscribers")

    def handle(self, *args, **options):
        result = alerts_run(kinds=options["kind"], deliver=not options["no_deliver"])
        self.stdout.write(
            f"raised {len(result.raised)}, grown {len(result.grown)}, "
            f"unchanged {result.skipped}, deliveries {result.delivered}"
        )
        if result.failed:
            raise CommandError(f"rules failed: {', '.join(result.failed)} (see the log)")

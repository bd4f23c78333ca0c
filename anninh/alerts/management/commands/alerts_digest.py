"""Send each subscriber the alerts delivered to them since the last digest (cron: daily)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from anninh.alerts.services import alerts_digest


class Command(BaseCommand):
    help = "E-mail the daily digest of new alerts (EMAIL_BACKEND; the console in the demo)."

    def add_arguments(self, parser):
        parser.add_argument("--language", choices=["vi", "en"], default=None)

    def handle(self, *args, **options):
        sent = alerts_digest(language=options["language"])
        self.stdout.write(f"digests sent: {sent}")

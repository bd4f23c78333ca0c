"""Escalate every open request past its due date (once per due date): cron, daily at 07:00.

./dev manage requests_escalate
"""

from django.core.management.base import BaseCommand

from anninh.requests.services import requests_escalate


class Command(BaseCommand):
    help = "Escalate open requests past their due date to the commanders (idempotent)."

    def handle(self, *args, **options):
        done = requests_escalate()
        self.stdout.write(f"escalated: {len(done)}")

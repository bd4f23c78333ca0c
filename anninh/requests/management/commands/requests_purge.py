"""Remove expired personal data from closed requests (Decree 13/2023/ND-CP), keeping the
statistics: cron, daily.

    ./dev manage requests_purge
"""

from django.core.management.base import BaseCommand

from anninh.requests.services import requests_purge


class Command(BaseCommand):
    help = "Remove the personal data of closed requests past the retention periods (settings)."

    def handle(self, *args, **options):
        result = requests_purge()
        self.stdout.write(
            f"contacts removed: {result.contacts}; contents removed: {result.contents}; "
            f"guard marks removed: {result.marks}"
        )

"""Delete expired idempotency keys (run daily; keyed writes also prune as they go)."""

from django.core.management.base import BaseCommand

from anninh.records.services.idempotency import idempotency_prune


class Command(BaseCommand):
    help = "Delete idempotency keys older than IDEMPOTENCY_KEY_TTL_HOURS (24 by default)."

    def handle(self, *args, **options):
        deleted = idempotency_prune()
        self.stdout.write(f"{deleted} expired idempotency keys deleted")

"""Make an Open311 client and print its api_key once (only its SHA-256 is kept).

./dev manage open311_client_create "Cổng dịch vụ công thành phố"
"""

import hashlib
import secrets

from django.core.management.base import BaseCommand
from django.db import transaction

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.requests.models import Open311Client


class Command(BaseCommand):
    help = "Create an Open311 client and print its api_key."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, **options):
        key = secrets.token_urlsafe(32)
        with transaction.atomic():
            client = Open311Client.objects.create(
                name=options["name"][:120], key_hash=hashlib.sha256(key.encode()).hexdigest()
            )
            audit_record(actor=None, action=AuditAction.CREATE, target=client, extra={"via": "command"})
        self.stdout.write(key)

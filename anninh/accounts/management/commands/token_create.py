"""Create a personal API token for a user and print it (for integrations and tests).

    manage.py token_create USERNAME --name NAME [--days N] [--scope read|write]

The token is printed once and not stored (only its SHA-256 is); the creation is audited
as done by "system:token_create".
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from anninh.accounts import services
from anninh.accounts.models import APIToken


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="what the token is for")
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="validity in days (1 to ANNINH_API_TOKEN_MAX_DAYS; default 90 or that maximum if lower)",
        )
        parser.add_argument(
            "--scope",
            choices=APIToken.Scope.values,
            default=APIToken.Scope.READ,
            help="read: GET only (default); write: also POST, PUT, PATCH, DELETE",
        )

    def handle(self, *args, username: str, name: str, days: int | None, scope: str, **options):
        if days is None:
            days = services.token_default_days()
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        try:
            token, raw = services.api_token_create(
                actor=services.SystemActor("token_create"), user=user, name=name, days=days, scope=scope
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stderr.write(
            f"Token {token.prefix} ({token.scope}) for {user.username}, expires {token.expires_at:%d/%m/%Y %H:%M} UTC"
        )
        self.stdout.write(raw)

"""The audit trail: an append-only, hash-chained log of every read and write that matters.

Each row stores the hash of the row before it, and its own hash over its content and that
link, so removing, reordering or editing any row breaks the chain; the chain head (one row)
holds the newest link, so removing rows at the end is detected too (`./dev manage
audit_verify`, or the button on the auditor page). Rows are written only by
`anninh.audit.services.audit_record`, inside the same transaction as the change they
describe.

Nothing in the application updates or deletes them: the model and its queryset refuse it,
and database triggers refuse it too (migrations 0003 and 0004):

- PostgreSQL: a row trigger refuses every UPDATE and DELETE on the table. TRUNCATE is not
  seen by row triggers, which is what lets Django's test flush (TRUNCATE) clean the test
  database. In production the application's database role must therefore not own the
  table (an owner can TRUNCATE it or drop the trigger): grant it SELECT and INSERT only.
- SQLite: triggers refuse UPDATE (0003) and DELETE (0004). Django flushes a SQLite
  database with DELETE FROM (TransactionTestCase, live-server tests, `manage.py flush`), so
  the audit app drops and restores the DELETE trigger around that one statement list
  (anninh.audit.apps), the counterpart of TRUNCATE passing on PostgreSQL.

Whoever owns the database can still drop a trigger, delete the newest rows and rewrite the
head, or wipe everything: the chain then verifies. The daily signed anchor kept outside the
database (`audit_anchor`, checked by `audit_verify --anchor FILE`) catches that.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedQuerySet, ScopeRule


class AuditAction(models.TextChoices):
    CREATE = "create", _("Create")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")
    VIEW = "view", _("View")
    EXPORT = "export", _("Export")
    DENIED = "denied", _("Access denied")
    LOGIN = "login", _("Login")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGOUT = "logout", _("Logout")


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit row."""


class AuditEventQuerySet(RestrictedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit rows cannot be updated")

    def delete(self):
        raise AppendOnlyError("audit rows cannot be deleted")

    # bulk paths would bypass the chain
    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("audit rows cannot be updated")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("audit rows are written one by one by audit_record()")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("time"), db_index=True)
    # No foreign key: the row must outlive the user, and deleting a user must not touch it.
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    actor_unit_code = models.CharField(_("unit"), max_length=32, blank=True)
    request_id = models.UUIDField(_("request id"), null=True, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()
    # Only auditors read the trail, all of it.
    need_to_know = ScopeRule(readers=frozenset({Role.AUDITOR}), city_wide=frozenset({Role.AUDITOR}))

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor_username", "at"], name="audit_actor_at_idx"),
            models.Index(fields=["action", "at"], name="audit_action_at_idx"),
            models.Index(fields=["client_ip"], name="audit_client_ip_idx"),
        ]

    def __str__(self) -> str:
        at = timezone.localtime(self.at).strftime("%d/%m/%Y %H:%M:%S") if self.at else "-"
        return f"#{self.pk} {at} {self.actor_username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit rows cannot be updated")
        if not getattr(self, "_chained", False):
            raise AppendOnlyError("audit rows are written only by audit_record(), which chains them")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit rows cannot be deleted")


class AuditChainHead(models.Model):
    """One row (pk=1, created by migration 0002) holding the newest link of the chain.
    Writers lock it (SELECT ... FOR UPDATE) so that two concurrent transactions never both
    extend the chain from the same row; the lock is taken before the event row is inserted,
    so id order is chain order."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")

    def __str__(self) -> str:
        return f"{self.count} · {self.last_hash[:12]}"

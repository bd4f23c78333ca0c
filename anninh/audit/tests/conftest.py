"""Helpers for the audit tests: users without a unit, rows written in bulk, and a way to
lift the append-only triggers for a moment to tamper with rows on purpose."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from anninh.accounts.models import RoleAssignment
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record

TRIGGERS = [
    importlib.import_module("anninh.audit.migrations.0003_append_only_triggers"),
    importlib.import_module("anninh.audit.migrations.0004_sqlite_delete_trigger"),
]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The personas have passwords; the production hasher (PBKDF2, a million rounds) would
    spend seconds per test creating them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_plain_user(username: str, *roles: str, **fields):
    user = get_user_model().objects.create_user(username=username, password=None, **fields)
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
    return user


@pytest.fixture
def auditor(db):
    return make_plain_user("kiem.toan", Role.AUDITOR, full_name="Kiểm Toán Viên")


@pytest.fixture
def commander(db):
    return make_plain_user("chi.huy", Role.COMMANDER)


def write_events(count: int, *, actor=None, action=AuditAction.UPDATE, **fields) -> list:
    """`count` rows, each inside its own transaction as a service would write it."""
    events = []
    for i in range(count):
        with transaction.atomic():
            events.append(
                audit_record(
                    actor=actor,
                    action=action,
                    object_type=fields.get("object_type", "test.thing"),
                    object_id=fields.get("object_id", i + 1),
                    object_repr=fields.get("object_repr", f"Thing {i + 1}"),
                    before=fields.get("before", {"n": i}),
                    after=fields.get("after", {"n": i + 1}),
                    username=fields.get("username", "" if actor else "system:test"),
                )
            )
    return events


@contextmanager
def triggers_lifted():
    """Drop the append-only triggers (the migration's own SQL) and put them back after. In a
    `db` test the DDL is also undone by the test's rollback, on SQLite and PostgreSQL alike."""
    with connection.cursor() as cursor:
        for module in TRIGGERS:
            for sql in module.UNINSTALL.get(connection.vendor, []):
                cursor.execute(sql)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for module in TRIGGERS:
                for sql in module.INSTALL.get(connection.vendor, []):
                    cursor.execute(sql)


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)

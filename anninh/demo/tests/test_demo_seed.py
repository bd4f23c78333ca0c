"""The demo command: one synthetic account per role, idempotent, demo mode only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from anninh.accounts.roles import Role
from anninh.audit.models import AuditEvent
from anninh.demo.services import DEMO_PASSWORD, DEMO_USERS, demo_seed

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_one_account_per_role(settings):
    settings.DEMO = True
    demo_seed()
    User = get_user_model()
    held = {r for u in User.objects.filter(is_demo=True) for r in u.roles}
    assert held == {r.value for r in Role}
    officer = User.objects.get(username="officer.hongbang")
    assert officer.unit.commune_id == "11311"
    assert officer.check_password(DEMO_PASSWORD)


def test_demo_seed_twice_changes_nothing_and_audits_only_the_first_run(settings):
    settings.DEMO = True
    demo_seed()
    first = AuditEvent.objects.count()
    demo_seed()
    User = get_user_model()
    assert User.objects.filter(is_demo=True).count() == len(DEMO_USERS)
    assert AuditEvent.objects.count() == first
    assert first >= len(DEMO_USERS)


def test_demo_seed_refuses_outside_demo_mode(settings):
    settings.DEMO = False
    with pytest.raises(ImproperlyConfigured):
        demo_seed()
    assert not get_user_model().objects.exists()


def test_demo_command_prints_the_logins(settings, capsys):
    settings.DEMO = True
    call_command("demo_seed")
    out = capsys.readouterr().out
    assert "officer.hongbang" in out and DEMO_PASSWORD in out


def test_demo_command_ends_with_a_summary_and_a_login_table_in_one_language(settings, capsys):
    settings.DEMO = True
    settings.ANNINH_DEMO_INCIDENTS = 200
    call_command("demo_seed", "--no-progress")
    out = capsys.readouterr().out
    # What it made, with numbers: the accounts and the synthetic records.
    assert f"demo accounts: {len(DEMO_USERS)} ({len(DEMO_USERS)} new)" in out
    assert "synthetic incidents: 200" in out
    # Headers in the same language as the role names (English here: the tests' language).
    header = next(line for line in out.splitlines() if "User name" in line)
    assert "Role" in header and "Unit" in header and "Password" in header
    assert "Commander" in out

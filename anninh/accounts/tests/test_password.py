"""Strong passwords and changing one's password."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from anninh.accounts import services
from anninh.accounts.tests.helpers import PASSWORD, events
from anninh.accounts.validators import CharacterClassValidator, character_classes
from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.personas import make_user

NEW = "Sóng-Biển-2026"


def test_three_kinds_of_character_are_enough():
    CharacterClassValidator(3).validate("lower UPPER")  # lower, upper, symbol (space)
    CharacterClassValidator(3).validate("lowerUPPER42")


def test_two_kinds_of_character_are_not_enough_and_the_message_says_so():
    with pytest.raises(ValidationError) as caught:
        CharacterClassValidator(3).validate("onlylowercase42")
    error = caught.value.error_list[0]
    assert error.code == "password_too_few_character_classes"
    assert "at least 3 kinds of character" in str(caught.value.messages[0])


def test_the_message_is_a_translation_msgid_and_follows_the_active_language():
    with translation.override("en"):
        text = CharacterClassValidator(4).get_help_text()
    assert text.startswith("Your password must use at least 4 kinds")


def test_vietnamese_letters_count_as_lower_and_upper_case():
    assert character_classes("ắ") == {"lower"}
    assert character_classes("Đ") == {"upper"}
    assert character_classes("ắĐ9!") == {"lower", "upper", "digit", "symbol"}


def test_min_classes_must_be_between_one_and_four():
    with pytest.raises(ValueError, match="min_classes"):
        CharacterClassValidator(5)
    with pytest.raises(ValueError, match="min_classes"):
        CharacterClassValidator(0)


def test_the_project_settings_reject_a_long_password_of_only_letters_and_digits():
    with pytest.raises(ValidationError) as caught:
        validate_password("haiphongcity2026")
    assert "password_too_few_character_classes" in [e.code for e in caught.value.error_list]
    validate_password("Hai-Phong-City-2026")


@pytest.fixture
def signed_in(db):
    user = make_user("lan", "analyst")
    client = Client()
    client.force_login(user)
    return client, user


def test_changing_the_password_keeps_the_session_and_is_audited_without_the_password(signed_in):
    client, user = signed_in
    old_hash = user.password
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/accounts/profile/").status_code == 200
    [event] = events(AuditAction.UPDATE, actor_id=user.pk)
    assert event.extra == {"field": "password"} and event.before is None and event.after is None
    for row in AuditEvent.objects.all():
        dump = f"{row.before}{row.after}{row.extra}"
        assert NEW not in dump and PASSWORD not in dump and old_hash not in dump and user.password not in dump


def test_other_sessions_end_when_the_password_changes(signed_in):
    client, user = signed_in
    other = Client()
    other.force_login(user)
    client.post("/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert other.get("/accounts/profile/").status_code == 302


def test_a_weak_new_password_is_refused_with_the_reason(signed_in):
    client, user = signed_in
    weak = "haiphongcity2026"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak}
    )
    assert response.status_code == 200
    assert "kinds of character" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not events(AuditAction.UPDATE)


def test_the_old_password_must_be_right(signed_in):
    client, user = signed_in
    response = client.post(
        "/accounts/password/", {"old_password": "nope", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_nobody_changes_another_users_password_through_the_service(db):
    victim = make_user("victim", "analyst")
    admin = make_user("boss", "administrator")
    with pytest.raises(PermissionDenied):
        services.password_change(actor=admin, user=victim, new_password=NEW)
    victim.refresh_from_db()
    assert victim.check_password(PASSWORD)

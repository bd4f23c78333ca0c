"""API tokens (profile page, management command, bearer authentication) and /api/accounts/me."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client

from anninh.accounts import services
from anninh.accounts.models import APIToken
from anninh.accounts.tests.helpers import events
from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.openapi import openapi_schema
from anninh.testing.personas import make_user

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def analyst(units):
    return make_user("minh", "analyst", unit_code="PV01", full_name="Lê Văn Minh")


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def _create_on_profile(user, name="Báo cáo tuần", days="90"):
    client = Client()
    client.force_login(user)
    return client, client.post("/accounts/tokens/", {"name": name, "days": days})


def test_the_profile_shows_name_unit_roles_language_and_two_factor_status(analyst):
    client = Client()
    client.force_login(analyst)
    html = client.get("/accounts/profile/").content.decode()
    for text in [
        "Lê Văn Minh",
        "PV01",
        "Analyst",
        'name="language"',
        "Set up two-factor authentication",
        "You have no API tokens.",
    ]:
        assert text in html


def test_a_new_token_is_shown_once_and_only_its_hash_is_stored(analyst, clock):
    client, response = _create_on_profile(analyst)
    assert response.status_code == 200
    raw = re.search(r'<code class="secret">(anh_[^<]+)</code>', response.content.decode()).group(1)
    token = APIToken.objects.get(user=analyst)
    assert token.hashed_secret == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(f"anh_{token.prefix}_")
    assert token.expires_at == T0 + dt.timedelta(days=90)
    later = client.get("/accounts/profile/").content.decode()
    assert raw not in later and token.prefix in later
    [created] = events(AuditAction.CREATE, object_type="accounts.apitoken")
    assert "hashed_secret" not in created.after and raw not in str(created.after)


def test_a_token_needs_a_name_and_an_offered_validity(analyst):
    _client, response = _create_on_profile(analyst, name=" ", days="90")
    assert response.status_code == 400
    _client, response = _create_on_profile(analyst, name="x", days="9999")
    assert response.status_code == 400
    assert not APIToken.objects.exists()


def test_a_token_answers_the_api_as_its_user_and_records_when_it_was_used(analyst, clock):
    token, raw = services.api_token_create(actor=analyst, user=analyst, name="bi", days=30)
    assert token.user_id == analyst.pk
    response = Client().get("/api/accounts/me", headers=_bearer(raw))
    assert response.status_code == 200
    assert response.json() == {
        "username": "minh",
        "full_name": "Lê Văn Minh",
        "unit": {"code": "PV01", "name": analyst.unit.name},
        "roles": ["analyst"],
        "personal_data": False,
    }
    token.refresh_from_db()
    assert token.last_used_at == T0


def test_last_use_is_written_at_most_once_a_minute(analyst, clock):
    token, raw = services.api_token_create(actor=analyst, user=analyst, name="bi", days=30)
    Client().get("/api/accounts/me", headers=_bearer(raw))
    clock.shift(dt.timedelta(seconds=59))
    Client().get("/api/accounts/me", headers=_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == T0
    clock.shift(dt.timedelta(seconds=2))
    Client().get("/api/accounts/me", headers=_bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == T0 + dt.timedelta(seconds=61)


def test_an_analyst_granted_personal_data_is_told_so(analyst):
    analyst.personal_data_granted = True
    analyst.save()
    _token, raw = services.api_token_create(actor=analyst, user=analyst, name="bi", days=30)
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).json()["personal_data"] is True


def test_a_user_without_a_unit_has_no_unit_in_the_answer(db):
    user = make_user("nounit", "public_relations")
    client = Client()
    client.force_login(user)
    body = client.get("/api/accounts/me").json()
    assert body["unit"] is None and body["roles"] == ["public_relations"]


@pytest.mark.parametrize("spoil", ["expired", "revoked", "inactive", "garbage", "wrong_secret"])
def test_a_spoilt_token_gets_401(analyst, clock, spoil):
    token, raw = services.api_token_create(actor=analyst, user=analyst, name="bi", days=30)
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 200
    if spoil == "expired":
        clock.shift(dt.timedelta(days=30, seconds=1))
    elif spoil == "revoked":
        services.api_token_revoke(actor=analyst, token=token)
    elif spoil == "inactive":
        analyst.is_active = False
        analyst.save()
    elif spoil == "garbage":
        raw = "not-a-token"
    else:
        raw = raw[:-2] + ("aa" if not raw.endswith("aa") else "bb")
    response = Client().get("/api/accounts/me", headers=_bearer(raw))
    assert response.status_code == 401


def test_a_token_of_a_role_that_requires_two_factor_works_only_once_it_is_set_up(db, two_factor_required):
    chief = make_user("chief", "commander")
    _token, raw = services.api_token_create(actor=services.SystemActor("test"), user=chief, name="x", days=5)
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401
    from anninh.accounts import twofactor
    from anninh.accounts.models import TOTPDevice

    TOTPDevice.objects.create(
        user=chief, sealed_secret=twofactor.seal_secret(twofactor.new_secret()), confirmed_at=T0
    )
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 200


def test_nobody_creates_a_token_for_someone_else_from_the_web(analyst):
    other = make_user("other", "administrator")
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=other, user=analyst, name="x", days=5)
    with pytest.raises(PermissionDenied):
        services.api_token_create(actor=None, user=analyst, name="x", days=5)
    assert not APIToken.objects.exists()


def test_revoking_a_token_on_the_profile_page_is_audited(analyst):
    client, _response = _create_on_profile(analyst)
    token = APIToken.objects.get()
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    [revoked] = events(AuditAction.UPDATE, object_type="accounts.apitoken")
    assert revoked.extra == {"field": "revoked_at"} and revoked.after["revoked_at"]
    assert "Revoked" in client.get("/accounts/profile/").content.decode()


def test_someone_elses_token_id_is_a_404_with_an_audited_refusal_and_a_missing_one_a_plain_404(analyst):
    other = make_user("other", "analyst")
    token, _raw = services.api_token_create(actor=other, user=other, name="x", days=5)
    client = Client()
    client.force_login(analyst)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    [denied] = events(AuditAction.DENIED, actor_id=analyst.pk)
    assert denied.object_type == "accounts.apitoken" and denied.object_id == str(token.pk)
    assert client.post(f"/accounts/tokens/{token.pk + 1000}/revoke/").status_code == 404
    assert len(events(AuditAction.DENIED)) == 1
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_command_prints_a_working_token_and_is_audited_as_the_command(analyst, clock):
    out, err = io.StringIO(), io.StringIO()
    call_command("token_create", "minh", "--name", "Tích hợp 113", "--days", "7", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert raw.startswith("anh_") and "\n" not in raw
    token = APIToken.objects.get()
    assert token.name == "Tích hợp 113" and token.expires_at == T0 + dt.timedelta(days=7)
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="accounts.apitoken")
    assert event.actor_id is None and event.actor_username == "system:token_create"


def test_the_command_refuses_an_unknown_user_or_a_silly_validity(analyst):
    with pytest.raises(CommandError, match="no user"):
        call_command("token_create", "ghost", "--name", "x", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="1 to 90 days"):
        call_command(
            "token_create", "minh", "--name", "x", "--days", "0", stdout=io.StringIO(), stderr=io.StringIO()
        )


def test_the_schema_declares_200_and_401_and_both_ways_to_authenticate(db):
    schema = openapi_schema()
    operation = schema["paths"]["/api/accounts/me"]["get"]
    assert set(operation["responses"]) == {"200", "401"}
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_the_service_refuses_an_inactive_user(analyst):
    analyst.is_active = False
    analyst.save()
    with pytest.raises(ValidationError):
        services.api_token_create(actor=services.SystemActor("t"), user=analyst, name="x", days=5)


# ---- scopes, expiry, revocation on a new password ------------------------------------------------


def _token(user, scope="read", days=30):
    return services.api_token_create(actor=user, user=user, name="bi", days=days, scope=scope)


INCIDENTS = "/api/records/incidents"


def test_a_read_only_token_reads_but_any_unsafe_method_is_a_403_json_and_audited(analyst, clock):
    token, raw = _token(analyst, scope="read")
    assert token.scope == "read"
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 200
    for method in ["post", "put"]:
        url = INCIDENTS if method == "post" else f"{INCIDENTS}/1"
        response = getattr(Client(), method)(
            url, data={}, content_type="application/json", headers=_bearer(raw)
        )
        assert response.status_code == 403, method
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"detail": "This API token is read-only."}
    denied = events(AuditAction.DENIED, actor_id=analyst.pk)
    assert len(denied) == 2 and {e.extra["reason"] for e in denied} == {"token_scope"}


def test_a_read_write_token_passes_authentication_on_unsafe_methods(analyst, clock):
    _token_row, raw = _token(analyst, scope="write")
    response = Client().post(INCIDENTS, data={}, content_type="application/json", headers=_bearer(raw))
    assert response.status_code not in (401, 403)  # it reaches the endpoint (which validates the body)
    assert not events(AuditAction.DENIED, actor_id=analyst.pk, extra__reason="token_scope")


def test_an_unknown_scope_is_refused(analyst):
    with pytest.raises(ValidationError):
        _token(analyst, scope="admin")
    assert not APIToken.objects.exists()


def test_tokens_are_valid_at_most_90_days_by_default_and_the_maximum_is_a_setting(analyst, settings, clock):
    assert settings.API_TOKEN_MAX_DAYS == 90
    with pytest.raises(ValidationError, match="1 to 90 days"):
        _token(analyst, days=91)
    token, _raw = _token(analyst, days=90)
    assert token.expires_at == T0 + dt.timedelta(days=90)
    settings.API_TOKEN_MAX_DAYS = 30
    with pytest.raises(ValidationError, match="1 to 30 days"):
        _token(analyst, days=31)
    client = Client()
    client.force_login(analyst)
    html = client.get("/accounts/profile/").content.decode()
    offered = [int(v) for v in re.findall(r'<option value="(\d+)"', html)]
    assert offered and max(offered) == 30
    assert client.post("/accounts/tokens/", {"name": "x", "days": "90", "scope": "read"}).status_code == 400


def test_an_expired_token_is_refused(analyst, clock):
    _token_row, raw = _token(analyst, days=1)
    clock.shift(dt.timedelta(days=1, seconds=1))
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401


def test_the_profile_form_lets_the_owner_choose_the_scope_and_shows_it(analyst, clock):
    client = Client()
    client.force_login(analyst)
    response = client.post("/accounts/tokens/", {"name": "ghi", "days": "30", "scope": "write"})
    assert response.status_code == 200
    token = APIToken.objects.get()
    assert token.scope == "write" and token.expires_at == T0 + dt.timedelta(days=30)
    assert "Read and write" in client.get("/accounts/profile/").content.decode()
    assert client.post("/accounts/tokens/", {"name": "x", "days": "30", "scope": "root"}).status_code == 400


def test_the_command_takes_a_scope_and_defaults_to_read_only(analyst, clock):
    call_command("token_create", "minh", "--name", "a", stdout=io.StringIO(), stderr=io.StringIO())
    call_command(
        "token_create", "minh", "--name", "b", "--scope", "write", stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert dict(APIToken.objects.values_list("name", "scope")) == {"a": "read", "b": "write"}
    assert APIToken.objects.get(name="a").expires_at == T0 + dt.timedelta(days=90)


def test_changing_ones_password_revokes_every_token_and_audits_each(analyst, clock):
    from anninh.accounts.tests.helpers import PASSWORD

    _first, raw1 = _token(analyst, scope="read")
    _second, raw2 = _token(analyst, scope="write")
    other = make_user("other", "analyst")
    _kept, raw3 = _token(other)
    client = Client()
    client.force_login(analyst)
    new = "Sóng-Biển-2026"
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    for raw in (raw1, raw2):
        assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401
    assert Client().get("/api/accounts/me", headers=_bearer(raw3)).status_code == 200
    revoked = events(AuditAction.UPDATE, object_type="accounts.apitoken")
    assert len(revoked) == 2
    assert all(e.extra == {"field": "revoked_at", "reason": "password_change"} for e in revoked)


def test_an_administrator_setting_a_users_password_revokes_that_users_tokens(analyst, clock):
    _token_row, raw = _token(analyst)
    admin = make_user("root", "administrator", unit_code="PV01")
    client = Client()
    client.force_login(admin)
    strong = "Hoa-Phượng-Đỏ-2026"
    response = client.post(
        f"/admin/accounts/user/{analyst.pk}/password/",
        {"password1": strong, "password2": strong, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert Client().get("/api/accounts/me", headers=_bearer(raw)).status_code == 401
    [revoked] = events(AuditAction.UPDATE, object_type="accounts.apitoken")
    assert revoked.actor_id == admin.pk and revoked.extra["reason"] == "password_reset"


# ---- creating a token through the API (a session only: a token cannot make tokens) ------------


def test_the_api_creates_a_token_for_the_signed_in_user_with_scope_and_expiry(analyst, clock):
    client = Client()
    client.force_login(analyst)
    response = client.post(
        "/api/accounts/tokens",
        {"name": "tích hợp", "days": 7, "scope": "write"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    token = APIToken.objects.get()
    assert body["token"].startswith(f"anh_{token.prefix}_") and body["prefix"] == token.prefix
    assert body["scope"] == "write" and token.expires_at == T0 + dt.timedelta(days=7)
    assert dt.datetime.fromisoformat(body["expires_at"]) == token.expires_at
    assert Client().get("/api/accounts/me", headers=_bearer(body["token"])).status_code == 200


def test_the_api_refuses_a_validity_beyond_the_maximum_with_a_422(analyst):
    client = Client()
    client.force_login(analyst)
    response = client.post(
        "/api/accounts/tokens", {"name": "x", "days": 91, "scope": "read"}, content_type="application/json"
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert set(problem) == {"type", "loc", "msg"} and problem["type"] == "token_days"
    assert not APIToken.objects.exists()


def test_a_token_cannot_create_tokens(analyst):
    _row, raw = _token(analyst, scope="write")
    response = Client().post(
        "/api/accounts/tokens",
        {"name": "x", "days": 7, "scope": "write"},
        content_type="application/json",
        headers=_bearer(raw),
    )
    assert response.status_code == 401
    assert APIToken.objects.count() == 1

"""The field page over the API (/api/field/): today's plan for the caller, check-ins, patrols
done and field reports, each made once under its Idempotency-Key, scoped to the caller's
commune and audited through the field services."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from anninh.audit.models import AuditAction, AuditEvent
from anninh.field.models import CheckIn, FieldReport
from anninh.field.tests.factories import approved_plan
from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

JSON = "application/json"


@pytest.fixture
def plan(personas, time_machine):
    # 10:00 in Hai Phong: the morning shift (06–14) has begun.
    time_machine.move_to(dt.datetime.combine(timezone.localdate(), dt.time(10), tzinfo=HCM_TZ), tick=True)
    return approved_plan(personas["commune_officer"], personas["commander"])


def _post(user, url, body, key: str | None = ""):
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key or str(uuid.uuid4())}
    return client_for(user).post(url, data=json.dumps(body), content_type=JSON, **headers)


def _denied(user) -> int:
    return AuditEvent.objects.unrestricted().filter(action=AuditAction.DENIED, actor_id=user.pk).count()


# Today --------------------------------------------------------------------------------------------


def test_today_gives_the_commune_officer_the_plan_with_checkpoints_and_patrols(personas, plan):
    officer = personas["commune_officer"]
    cp = plan.checkpoints.first()
    _post(officer, "/api/field/checkins", {"checkpoint_id": cp.pk})
    body = client_for(officer).get("/api/field/today").json()
    assert body["commune"]["code"] == COMMUNE_A and body["police"] is True
    (got,) = body["plans"]
    assert got["id"] == plan.pk and got["shift"] == plan.shift
    assert {c["id"] for c in got["checkpoints"]} == set(plan.checkpoints.values_list("pk", flat=True))
    mine = {c["id"]: c["checked_in_at"] for c in got["checkpoints"]}
    assert mine[cp.pk] is not None
    assert len(got["patrols"]) == plan.assignments.unrestricted().count()


def test_today_for_another_commune_is_refused_and_audited(personas, plan):
    other = personas["other_commune_officer"]
    before = _denied(other)
    response = client_for(other).get(f"/api/field/today?commune={COMMUNE_A}")
    assert response.status_code == 403 and _denied(other) == before + 1
    own = client_for(other).get("/api/field/today").json()
    assert own["commune"]["code"] == COMMUNE_B and own["plans"] == []


def test_a_commander_chooses_the_commune_and_a_civil_defence_leader_sees_their_own(personas, plan):
    assert client_for(personas["commander"]).get("/api/field/today").json()["commune"] is None
    chosen = client_for(personas["commander"]).get(f"/api/field/today?commune={COMMUNE_A}").json()
    assert [p["id"] for p in chosen["plans"]] == [plan.pk]
    leader = client_for(personas["civil_defence_leader"]).get("/api/field/today").json()
    assert [p["id"] for p in leader["plans"]] == [plan.pk] and leader["police"] is False


def test_today_is_not_for_an_analyst_nor_anonymous(personas, plan):
    assert client_for(personas["analyst"]).get("/api/field/today").status_code == 403
    assert client_for(None).get("/api/field/today").status_code == 401


# Check-ins ----------------------------------------------------------------------------------------


def test_a_check_in_is_made_once_whatever_the_retries(personas, plan):
    officer = personas["commune_officer"]
    cp = plan.checkpoints.first()
    body = {"checkpoint_id": cp.pk, "at": timezone.now().isoformat(), "lat": cp.site.lat, "lon": cp.site.lon}
    first = _post(officer, "/api/field/checkins", body, key="api-k-1")
    again = _post(officer, "/api/field/checkins", body, key="api-k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.unrestricted().count() == 1
    assert AuditEvent.objects.unrestricted().filter(object_type="field.checkin", action="create").count() == 1


def test_a_check_in_needs_a_key_and_the_same_key_with_other_content_is_a_conflict(personas, plan):
    officer = personas["commune_officer"]
    cp = plan.checkpoints.first()
    missing = _post(officer, "/api/field/checkins", {"checkpoint_id": cp.pk}, key=None)
    assert missing.status_code == 422 and missing.json()["detail"][0]["type"] == "idempotency.key"
    _post(officer, "/api/field/checkins", {"checkpoint_id": cp.pk}, key="api-k-2")
    other = _post(
        officer, "/api/field/checkins", {"checkpoint_id": cp.pk, "lat": 20.8, "lon": 106.6}, key="api-k-2"
    )
    assert other.status_code == 409 and other.json()["type"] == "idempotency.mismatch"
    assert CheckIn.objects.unrestricted().count() == 1


def test_another_communes_officer_cannot_check_in_here(personas, plan):
    other = personas["other_commune_officer"]
    before = _denied(other)
    response = _post(other, "/api/field/checkins", {"checkpoint_id": plan.checkpoints.first().pk})
    assert response.status_code == 404 and _denied(other) == before + 1
    assert CheckIn.objects.unrestricted().count() == 0


def test_a_check_in_from_the_future_is_refused_with_its_field(personas, plan):
    at = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = _post(
        personas["commune_officer"],
        "/api/field/checkins",
        {"checkpoint_id": plan.checkpoints.first().pk, "at": at},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0] == {
        "type": "at.future",
        "loc": ["body", "at"],
        "msg": response.json()["detail"][0]["msg"],
    }


def test_the_civil_defence_leader_checks_in_and_an_analyst_may_not(personas, plan):
    cp = plan.checkpoints.first()
    assert (
        _post(personas["civil_defence_leader"], "/api/field/checkins", {"checkpoint_id": cp.pk}).status_code
        == 201
    )
    assert _post(personas["analyst"], "/api/field/checkins", {"checkpoint_id": cp.pk}).status_code == 403


# Patrols done -------------------------------------------------------------------------------------


def test_a_patrol_done_twice_is_a_conflict_with_who_did_it(personas, plan):
    assignment = plan.assignments.unrestricted().first()
    url = f"/api/field/patrols/{assignment.pk}/done"
    first = _post(personas["commune_officer"], url, {"note": "Bình thường"})
    assert first.status_code == 200 and first.json()["assignment"] == assignment.pk
    second = _post(personas["commander"], url, {})
    assert second.status_code == 409
    assert second.json()["type"] == "conflict"
    assert second.json()["details"]["done_by"] == personas["commune_officer"].pk


def test_a_patrol_is_for_the_police_of_its_commune(personas, plan):
    url = f"/api/field/patrols/{plan.assignments.unrestricted().first().pk}/done"
    assert _post(personas["civil_defence_leader"], url, {}).status_code == 403
    assert _post(personas["other_commune_officer"], url, {}).status_code == 404


# Field reports ------------------------------------------------------------------------------------


def _png() -> str:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_a_field_report_with_a_photo_is_made_once_and_becomes_a_draft(personas, plan):
    officer = personas["commune_officer"]
    c = Commune.objects.get(code=COMMUNE_A)
    body = {"text": "Nhóm thanh niên tụ tập", "lat": c.point_lat, "lon": c.point_lon, "photo_base64": _png()}
    first = _post(officer, "/api/field/reports", body, key="api-r-1")
    again = _post(officer, "/api/field/reports", body, key="api-r-1")
    assert first.status_code == 201 and again.json() == first.json()
    assert first.json()["photo"] is True and first.json()["incident"] is not None
    assert FieldReport.objects.unrestricted().count() == 1


def test_a_field_report_placed_in_another_commune_is_refused(personas, plan):
    other = personas["other_commune_officer"]
    c = Commune.objects.get(code=COMMUNE_A)
    before = _denied(other)
    response = _post(other, "/api/field/reports", {"text": "x", "lat": c.point_lat, "lon": c.point_lon})
    assert response.status_code == 404 and _denied(other) == before + 1
    assert FieldReport.objects.unrestricted().count() == 0


def test_a_bad_photo_is_refused(personas, plan):
    officer = personas["commune_officer"]
    bad = _post(officer, "/api/field/reports", {"text": "x", "photo_base64": "@@@"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "photo_base64"]
    text = base64.b64encode(b"not an image").decode()
    wrong = _post(officer, "/api/field/reports", {"text": "x", "photo_base64": text})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["type"] == "photo.type"
    assert FieldReport.objects.unrestricted().count() == 0

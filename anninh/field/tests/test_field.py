"""The field endpoints: check-ins, patrols done, field reports with photos, each made once
under its idempotency key; conflicts answered, not lost."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid

import pytest
from django.utils import timezone
from PIL import Image

from anninh.field import services
from anninh.field.models import CheckIn, FieldReport
from anninh.field.tests.factories import approved_plan
from anninh.lib.dates import HCM_TZ
from anninh.records.models import Incident
from anninh.testing.personas import COMMUNE_A


@pytest.fixture
def plan(personas, time_machine):
    # 10:00 in Hai Phong: the morning shift (06–14) has begun.
    time_machine.move_to(dt.datetime.combine(timezone.localdate(), dt.time(10), tzinfo=HCM_TZ), tick=True)
    return approved_plan(personas["commune_officer"], personas["commander"])


def _post(client, url, body, key=None):
    return client.post(
        url,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()),
    )


def test_a_check_in_is_made_once_whatever_the_retries(client, personas, plan):
    client.force_login(personas["commune_officer"])
    cp = plan.checkpoints.first()
    body = {"checkpoint": cp.pk, "at": timezone.now().isoformat(), "lat": cp.site.lat, "lon": cp.site.lon}
    first = _post(client, "/field/checkin/", body, key="k-1")
    again = _post(client, "/field/checkin/", body, key="k-1")
    assert first.status_code == 201 and again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.unrestricted().count() == 1
    assert first.json()["distance_m"] == pytest.approx(0, abs=1)


def test_the_same_key_with_other_content_is_a_conflict(client, personas, plan):
    client.force_login(personas["commune_officer"])
    cp = plan.checkpoints.first()
    _post(client, "/field/checkin/", {"checkpoint": cp.pk}, key="k-2")
    other = _post(client, "/field/checkin/", {"checkpoint": cp.pk, "lat": 20.8, "lon": 106.6}, key="k-2")
    assert other.status_code == 409
    assert set(other.json()) >= {"type", "loc", "msg"}


def test_another_communes_officer_gets_404(client, personas, plan):
    client.force_login(personas["other_commune_officer"])
    response = _post(client, "/field/checkin/", {"checkpoint": plan.checkpoints.first().pk})
    assert response.status_code == 404
    assert CheckIn.objects.unrestricted().count() == 0


def test_a_check_in_from_the_future_is_refused(client, personas, plan):
    client.force_login(personas["commune_officer"])
    at = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    response = _post(client, "/field/checkin/", {"checkpoint": plan.checkpoints.first().pk, "at": at})
    assert response.status_code == 422 and response.json()["type"] == "at.future"


def test_a_patrol_done_twice_is_a_conflict_shown_with_who_did_it(client, personas, plan):
    assignment = plan.assignments.unrestricted().first()
    client.force_login(personas["commune_officer"])
    assert _post(client, "/field/done/", {"assignment": assignment.pk}).status_code == 200
    client.force_login(personas["commander"])
    response = _post(client, "/field/done/", {"assignment": assignment.pk})
    assert response.status_code == 409
    assert "already marked done" in response.json()["msg"]


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (20.0, 51.0, 0.0), 3: "E", 4: (106.0, 41.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_loses_its_exif_and_gps():
    raw = _jpeg_with_gps()
    assert Image.open(io.BytesIO(raw)).getexif().get_ifd(0x8825)
    clean, kind = services.clean_photo(raw)
    assert kind == "image/jpeg"
    image = Image.open(io.BytesIO(clean))
    assert not image.getexif() and "exif" not in image.info
    assert image.size == (40, 30)


def test_a_file_that_is_not_a_photo_is_refused():
    with pytest.raises(services.FieldError) as caught:
        services.clean_photo(b"GIF89a" + b"\0" * 100)
    assert caught.value.code == "photo.type"


def test_a_field_report_becomes_an_incident_draft_once(client, personas, plan):
    client.force_login(personas["commune_officer"])
    lat, lon = plan.checkpoints.first().site.lat, plan.checkpoints.first().site.lon
    fields = {
        "text": "Nhóm thanh niên tụ tập gây mất trật tự",
        "at": timezone.now().isoformat(),
        "lat": lat,
        "lon": lon,
    }

    def send():
        photo = io.BytesIO(_jpeg_with_gps())
        photo.name = "anh.jpg"
        return client.post("/field/report/", data={**fields, "photo": photo}, HTTP_IDEMPOTENCY_KEY="r-1")

    first, again = send(), send()
    assert first.status_code == 201 and again.status_code == 201
    report = FieldReport.objects.unrestricted().get()
    assert report.commune_id == COMMUNE_A and report.photo_type == "image/jpeg"
    assert not Image.open(io.BytesIO(bytes(report.photo))).getexif()
    incident = Incident.objects.unrestricted().get(pk=report.incident_id)
    assert incident.review_status == "draft" and "Nhóm thanh niên" in incident.narrative
    assert client.get(f"/field/reports/{report.pk}/photo/").status_code == 200
    client.force_login(personas["other_commune_officer"])
    assert client.get(f"/field/reports/{report.pk}/photo/").status_code == 404


def test_the_page_shows_todays_checkpoints(client, personas, plan):
    client.force_login(personas["commune_officer"])
    page = client.get("/field/")
    assert page.status_code == 200
    assert "Chốt" in page.content.decode()
    sw = client.get("/field/sw.js")
    assert sw["Service-Worker-Allowed"] == "/field/" and b"const ASSETS" in sw.content


def test_a_civil_defence_member_checks_in_and_reports_but_makes_no_incident(client, personas, plan):
    member = personas["civil_defence_leader"]
    client.force_login(member)
    assert "Chốt" in client.get("/field/").content.decode()
    cp = plan.checkpoints.first()
    assert _post(client, "/field/checkin/", {"checkpoint": cp.pk}).status_code == 201
    assert (
        _post(client, "/field/done/", {"assignment": plan.assignments.unrestricted().first().pk}).status_code
        == 403
    )
    response = client.post(
        "/field/report/",
        data={"text": "Cổng chợ bị chắn", "lat": cp.site.lat, "lon": cp.site.lon},
        HTTP_IDEMPOTENCY_KEY="cd-1",
    )
    assert response.status_code == 201 and response.json()["incident"] is None
    # The commune's police see it in their list, for the supervisor.
    client.force_login(personas["commune_officer"])
    assert "Cổng chợ bị chắn" in client.get("/field/reports/").content.decode()
    client.force_login(personas["other_commune_officer"])
    assert "Cổng chợ bị chắn" not in client.get("/field/reports/").content.decode()

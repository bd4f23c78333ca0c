"""The three anonymity levels: what is stored about the sender (request rows, audit rows with
their client address) and who among staff sees it."""

from __future__ import annotations

import json
import re

import pytest

from anninh.audit.models import AuditEvent
from anninh.requests.models import Anonymity, ServiceRequest, SubmissionMark
from anninh.requests.tests.factories import form_data, submit
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

IP = "198.51.100.23"
NAME, PHONE, EMAIL = "Nguyễn Thị Người Gửi", "0912345678", "nguoigui@example.vn"


def _send(client, anonymity: str) -> ServiceRequest:
    data = form_data(anonymity=anonymity, name=NAME, phone=PHONE, email=EMAIL, organisation="Công ty ABC")
    response = client.post("/requests/", data, REMOTE_ADDR=IP, HTTP_USER_AGENT="Phone/1.0")
    assert response.status_code == 201, response.content.decode()[:2000]
    return ServiceRequest.objects.unrestricted().get()


def _rows_about(request: ServiceRequest) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.unrestricted().filter(
            object_type="requests.servicerequest", object_id=str(request.pk)
        )
    )


def _everything_stored(request: ServiceRequest) -> str:
    """Every stored value of the request, its notes and its audit rows, as text."""
    values = [
        str(v) for v in ServiceRequest.objects.unrestricted().filter(pk=request.pk).values().get().values()
    ]
    for event in _rows_about(request):
        values += [json.dumps(event.after, ensure_ascii=False), json.dumps(event.extra, ensure_ascii=False)]
        values += [event.object_repr, str(event.client_ip)]
    values += [m.key for m in SubmissionMark.objects.all()]
    return " ".join(values)


def test_fully_anonymous_stores_nothing_that_identifies_the_sender(client):
    request = _send(client, Anonymity.ANONYMOUS)
    assert (request.reporter_name, request.reporter_phone, request.reporter_email, request.organisation) == (
        "",
    ) * 4
    stored = _everything_stored(request)
    for secret in (NAME, PHONE, EMAIL, "Công ty ABC", IP, "Phone/1.0"):
        assert secret not in stored
    rows = _rows_about(request)
    assert rows and all(row.client_ip is None for row in rows)
    # The rate-limit mark is a keyed hash, to the hour, not the address.
    mark = SubmissionMark.objects.get(kind="rate")
    assert re.fullmatch(r"[0-9a-f]{64}", mark.key) and mark.at.minute == 0 and mark.at.second == 0


def test_known_to_the_unit_stores_the_contact_but_keeps_it_out_of_the_audit_rows(client):
    request = _send(client, Anonymity.CONFIDENTIAL)
    assert (request.reporter_name, request.reporter_phone, request.reporter_email) == (NAME, PHONE, EMAIL)
    rows = _rows_about(request)
    assert rows and all(row.client_ip == IP for row in rows)
    audit_text = " ".join(json.dumps([r.after, r.extra], ensure_ascii=False) for r in rows)
    assert NAME not in audit_text and PHONE not in audit_text and EMAIL not in audit_text
    assert "Có người bán ma túy" not in audit_text


def test_a_public_name_is_stored_like_a_confidential_one(client):
    request = _send(client, Anonymity.PUBLIC)
    assert request.reporter_name == NAME
    assert all(row.client_ip == IP for row in _rows_about(request))


def test_the_reporters_own_steps_of_an_anonymous_request_leave_no_address(client):
    from anninh.requests.tests.factories import form_data as fd

    response = client.post("/requests/", fd(), REMOTE_ADDR=IP)
    code = re.search(r'id="tracking-code">([^<]+)<', response.content.decode()).group(1)
    client.post(
        "/requests/track/", {"code": code, "action": "add", "text": "Thêm: xe máy biển 15B"}, REMOTE_ADDR=IP
    )
    request = ServiceRequest.objects.unrestricted().get()
    rows = _rows_about(request)
    assert len(rows) == 2 and all(row.client_ip is None for row in rows)


def _detail(user, request):
    return client_for(user).get(f"/requests/staff/{request.pk}/").content.decode()


def test_a_confidential_name_is_seen_by_the_handling_unit_only(personas):
    request, _code = submit(anonymity=Anonymity.CONFIDENTIAL, name=NAME, phone=PHONE)
    assert request.unit.code == "CA11311"
    assert NAME in _detail(personas["commune_officer"], request)
    page = _detail(personas["commander"], request)  # reads every request, but is not the unit
    assert request.public_id in page and NAME not in page and PHONE not in page


def test_a_public_name_is_seen_by_every_staff_reader(personas):
    request, _code = submit(anonymity=Anonymity.PUBLIC, name=NAME)
    assert NAME in _detail(personas["commander"], request)
    assert NAME in _detail(personas["commune_officer"], request)


def test_an_anonymous_sender_typed_name_is_dropped_by_the_service():
    request, _code = submit(anonymity=Anonymity.ANONYMOUS, name=NAME, phone=PHONE)
    assert request.reporter_name == "" and request.reporter_phone == ""


def test_reading_a_request_is_audited_with_whether_the_sender_was_shown(personas):
    request, _code = submit(anonymity=Anonymity.CONFIDENTIAL, name=NAME)
    _detail(personas["commune_officer"], request)
    _detail(personas["commander"], request)
    views = AuditEvent.objects.unrestricted().filter(action="view", object_id=str(request.pk)).order_by("id")
    assert [(v.actor_username, v.extra["identity_shown"]) for v in views] == [
        ("p_commune_officer", True),
        ("p_commander", False),
    ]

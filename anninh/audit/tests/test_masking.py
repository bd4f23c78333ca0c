"""Personal data in audit payloads: whoever lacks the personal-data role (auditors,
administrators) sees a keyed hash instead of names, citizen IDs, phones, birth dates,
addresses and search terms, on every surface that shows audit rows; equal values keep equal
hashes so rows can still be matched. Tested against the payloads the record services write."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.db import transaction

from anninh.accounts.models import RoleAssignment
from anninh.accounts.roles import Role
from anninh.audit import masking
from anninh.audit.models import AuditEvent
from anninh.audit.tests.conftest import write_events
from anninh.records.services.incidents import PersonData
from anninh.records.services.persons import person_resolve, persons_searched
from anninh.records.services.reports import ReporterInput
from anninh.records.tests.test_incidents_factories import record
from anninh.records.tests.test_reports_helpers import receive
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

REPORTER = {
    "full_name": "Trịnh Văn Quang",
    "cccd": "031077000555",
    "phone": "0966000555",
    "birth_date": "1977-03-04",
    "address": "45 Lạch Tray",
}
VICTIM = {
    "full_name": "Nguyễn Thị Lan",
    "cccd": "031190000001",
    "phone": "0977000111",
    "address": "7 Trần Phú",
    "note": "bị thương nhẹ",
}
SEARCH = "Trịnh Quang 0966"
NAME_GIVEN = "Trinh Van Quang"
NEW_PHONE = "0966000556"
PERSONAL_VALUES = [*REPORTER.values(), *VICTIM.values(), SEARCH, NAME_GIVEN, NEW_PHONE]


@pytest.fixture
def written(personas) -> list[AuditEvent]:
    """The rows the record services write about people: a crime report with its reporter
    (person created), the same person found again with a new phone under another spelling
    (person updated), an incident with a victim (person created), a person search."""
    first = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    officer = personas["commune_officer"]
    receive(
        officer,
        reporter=ReporterInput(
            full_name=REPORTER["full_name"],
            cccd=REPORTER["cccd"],
            phones=(REPORTER["phone"],),
            birth_date=dt.date.fromisoformat(REPORTER["birth_date"]),
            address=REPORTER["address"],
        ),
    )
    with transaction.atomic():
        person_resolve(actor=officer, full_name=NAME_GIVEN, cccd=REPORTER["cccd"], phones=(NEW_PHONE,))
    record(
        officer,
        persons=(
            PersonData(
                "victim",
                VICTIM["full_name"],
                cccd=VICTIM["cccd"],
                phone=VICTIM["phone"],
                birth_year=1990,
                address=VICTIM["address"],
                note=VICTIM["note"],
            ),
        ),
    )
    persons_searched(actor=officer, q=SEARCH, results=1)
    rows = list(AuditEvent.objects.filter(id__gt=first).order_by("id"))
    types = {row.object_type for row in rows}
    assert {"records.person", "records.crimereport", "records.incident"} <= types
    return rows


def strings_in(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_in(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return [str(value)] if value is not None else []


def shown(event: AuditEvent) -> str:
    return "\n".join(strings_in([event.object_repr, event.before, event.after, event.extra]))


def assert_no_personal_value(text: str) -> None:
    # As typed, and as JSON with non-ASCII escaped (the admin shows JSON fields so).
    leaked = [v for v in PERSONAL_VALUES if v in text or json.dumps(v)[1:-1] in text]
    assert not leaked, f"personal values shown: {leaked}"


def personal_auditor():
    from anninh.testing.personas import make_user

    user = make_user("kiem.toan.chi.huy", Role.AUDITOR, unit_code="PV01")
    RoleAssignment.objects.create(user=user, role=Role.COMMANDER)
    return user


# The declaration, against the real payloads ------------------------------------------------


def test_the_stored_rows_hold_the_personal_values_the_masking_must_hide(written):
    # The log keeps what happened (the chain covers it): masking is for reading.
    stored = "\n".join(shown(e) for e in written)
    assert all(value in stored for value in PERSONAL_VALUES if value != VICTIM["note"])


def test_no_personal_value_survives_masking_in_any_row_the_services_write(written, personas):
    for viewer in (personas["auditor"], personas["administrator"], personas["analyst"]):
        for event in written:
            assert_no_personal_value(shown(masking.mask_event(event, viewer=viewer)))


def test_a_viewer_with_the_personal_data_role_sees_the_values(written):
    viewer = personal_auditor()
    assert masking.sees_personal_data(viewer)
    text = "\n".join(shown(masking.mask_event(e, viewer=viewer)) for e in written)
    assert REPORTER["full_name"] in text and REPORTER["cccd"] in text and SEARCH in text


def test_each_personal_field_of_a_person_is_replaced_by_a_keyed_hash(written, personas):
    created = next(e for e in written if e.object_type == "records.person" and e.action == "create")
    masked = masking.mask_event(created, viewer=personas["auditor"])
    for key in ("full_name", "cccd", "birth_date", "address", "name_key", "sort_key"):
        assert masked.after[key] == masking.mask_value(created.after[key]), key
        assert masked.after[key].startswith(masking.PREFIX)
    assert masked.after["phones"] == [masking.mask_value(REPORTER["phone"])]
    assert masked.object_repr == masking.mask_value(REPORTER["full_name"])
    # Not personal: which row, which version.
    assert masked.after["id"] == created.after["id"]
    assert masked.after["version"] == created.after["version"]


def test_equal_values_get_equal_hashes_across_rows(written, personas):
    persons = [e for e in written if e.object_type == "records.person" and e.object_id]
    created, updated = persons[0], persons[1]
    auditor = personas["auditor"]
    a, b = masking.mask_event(created, viewer=auditor), masking.mask_event(updated, viewer=auditor)
    assert a.after["cccd"] == b.before["cccd"] == b.after["cccd"]
    assert a.object_repr == b.object_repr
    assert b.after["phones_added"] == [masking.mask_value(NEW_PHONE)]
    assert b.extra["name_given"] == masking.mask_value(NAME_GIVEN)
    assert b.extra["matched"] is True
    search = next(e for e in written if "q" in (e.extra or {}))
    masked = masking.mask_event(search, viewer=auditor)
    assert masked.extra["q"] == masking.mask_value(SEARCH)
    assert masked.extra["results"] == 1 and masked.extra["via"] == "page"


def test_the_hash_is_keyed_by_the_mask_key_from_the_environment(settings):
    settings.AUDIT_MASK_KEY = ""
    fallback = masking.mask_value("031077000555")
    settings.AUDIT_MASK_KEY = "a-key-only-the-server-knows"
    keyed = masking.mask_value("031077000555")
    settings.AUDIT_MASK_KEY = "another-key"
    assert len({fallback, keyed, masking.mask_value("031077000555")}) == 3
    assert "031077000555" not in keyed


def test_search_terms_nested_in_filters_are_masked_wherever_they_appear(personas):
    (event,) = write_events(1, object_type="records.incident", after=None, before=None)
    event.extra = {"filters": {"q": "Trịnh Văn Quang", "commune": "11311"}, "via": "api"}
    masked = masking.mask_event(event, viewer=personas["auditor"])
    assert masked.extra == {
        "filters": {"q": masking.mask_value("Trịnh Văn Quang"), "commune": "11311"},
        "via": "api",
    }


def test_rows_about_other_things_are_left_as_they_are(personas):
    (event,) = write_events(1, object_type="org.unit", object_repr="Đội 3", after={"name": "Đội 3"})
    masked = masking.mask_event(event, viewer=personas["auditor"])
    assert (masked.object_repr, masked.after) == ("Đội 3", {"name": "Đội 3"})


# Every surface --------------------------------------------------------------------------


def test_the_auditor_pages_show_hashes_not_personal_values(written, personas):
    client = client_for(personas["auditor"])
    pages = [client.get("/audit/").content.decode()]
    pages += [client.get(f"/audit/{e.pk}/").content.decode() for e in written]
    for page in pages:
        assert_no_personal_value(page)
    person = next(e for e in written if e.object_type == "records.person")
    assert masking.mask_value(REPORTER["cccd"]) in client.get(f"/audit/{person.pk}/").content.decode()


def test_the_auditor_cannot_find_a_person_row_by_searching_for_the_name(written, personas):
    response = client_for(personas["auditor"]).get("/audit/", {"q": REPORTER["full_name"]})
    assert [row["id"] for row in response.context["page"].events] == []


def test_the_csv_export_shows_hashes_not_personal_values(written, personas):
    response = client_for(personas["auditor"]).get("/audit/export/")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert_no_personal_value(text)
    assert len(list(csv.reader(io.StringIO(text)))) > len(written)


def test_the_api_shows_hashes_not_personal_values(written, personas):
    client = client_for(personas["auditor"])
    bodies = [client.get("/api/audit/events", {"limit": 500}).json()]
    bodies += [client.get(f"/api/audit/events/{e.pk}").json() for e in written]
    for body in bodies:
        assert_no_personal_value(json.dumps(body, ensure_ascii=False))


def test_the_django_admin_shows_hashes_not_personal_values(written, personas):
    client = client_for(personas["administrator"])
    pages = [client.get("/admin/audit/auditevent/").content.decode()]
    for event in written:
        response = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
        assert response.status_code == 200
        pages.append(response.content.decode())
    for page in pages:
        assert_no_personal_value(page)
    person = next(e for e in written if e.object_type == "records.person")
    page = client.get(f"/admin/audit/auditevent/{person.pk}/change/").content.decode()
    assert masking.mask_value(REPORTER["cccd"]) in page


def test_the_auditor_home_page_shows_hashes_not_personal_values(written, personas):
    response = client_for(personas["auditor"]).get("/")
    assert response.status_code == 200
    assert_no_personal_value(response.content.decode())


def test_search_terms_in_the_path_of_a_refusal_are_masked(personas):
    from urllib.parse import unquote_plus

    response = client_for(personas["analyst"]).get("/records/persons/", {"q": SEARCH, "page": "2"})
    assert response.status_code == 403
    denied = AuditEvent.objects.filter(actor_id=personas["analyst"].pk, action="denied").latest("id")
    assert SEARCH in unquote_plus(denied.extra["path"])
    masked = masking.mask_event(denied, viewer=personas["auditor"])
    path = unquote_plus(masked.extra["path"])
    assert SEARCH not in path
    assert path.startswith("/records/persons/?")
    assert masking.mask_value(SEARCH) in path and "page=2" in path
    page = client_for(personas["auditor"]).get(f"/audit/{denied.pk}/").content.decode()
    assert SEARCH not in unquote_plus(page)

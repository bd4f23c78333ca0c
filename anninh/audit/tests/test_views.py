"""The auditor's pages: who may open them, searching, paging, one event, export, verify."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from anninh.audit import context
from anninh.audit.models import AuditAction, AuditEvent
from anninh.audit.services import audit_record
from anninh.audit.tests.conftest import raw, triggers_lifted, write_events
from anninh.testing.matrix import LOGIN, check_matrix, client_for

pytestmark = pytest.mark.django_db

LIST = "/audit/"
AUDITOR_ONLY = {
    "anonymous": LOGIN,
    "commander": 403,
    "analyst": 403,
    "investigator": 403,
    "commune_officer": 403,
    "other_commune_officer": 403,
    "fire_rescue": 403,
    "public_relations": 403,
    "auditor": 200,
    "administrator": 403,
    "no_role": 403,
}


def views_of_the_log(user) -> int:
    return AuditEvent.objects.filter(
        actor_id=user.pk, action=AuditAction.VIEW, object_type="audit.auditevent"
    ).count()


def test_url_names_resolve_to_the_audit_pages():
    assert reverse("audit:event_list") == "/audit/"
    assert reverse("audit:event_detail", args=[5]) == "/audit/5/"
    assert reverse("audit:export") == "/audit/export/"
    assert reverse("audit:verify") == "/audit/verify/"


# Permission matrix ----------------------------------------------------------------------


def test_only_auditors_open_the_audit_log(personas):
    check_matrix(LIST, AUDITOR_ONLY, personas=personas)


def test_only_auditors_open_one_audit_event(personas):
    (event,) = write_events(1)
    check_matrix(f"/audit/{event.pk}/", AUDITOR_ONLY, personas=personas)


def test_only_auditors_export_the_audit_log(personas):
    check_matrix("/audit/export/", AUDITOR_ONLY, personas=personas)


def test_only_auditors_verify_the_chain(personas):
    check_matrix("/audit/verify/", AUDITOR_ONLY, personas=personas, method="post")


def test_anonymous_htmx_calls_get_401_rather_than_a_login_page(client):
    response = client.post("/audit/verify/", headers={"HX-Request": "true"})
    assert response.status_code == 401


# The list -------------------------------------------------------------------------------


def test_the_log_lists_events_newest_first_with_its_navigation_marked(auditor):
    events = write_events(3)
    response = client_for(auditor).get(LIST, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert response.context["active_nav"] == "audit"
    ids = [row["id"] for row in response.context["page"].events]
    assert ids == [e.pk for e in reversed(events)]
    body = response.content.decode()
    assert body.index(f'href="/audit/{events[2].pk}/"') < body.index(f'href="/audit/{events[0].pk}/"')
    assert 'id="audit-chain-status"' in body


def test_each_look_at_the_log_writes_one_view_row_however_many_rows_it_shows(auditor):
    write_events(30)
    client = client_for(auditor)
    client.get(LIST)
    assert views_of_the_log(auditor) == 1
    client.get(LIST, {"action": "update"}, headers={"HX-Request": "true"})
    assert views_of_the_log(auditor) == 2
    last = AuditEvent.objects.filter(actor_id=auditor.pk).latest("id")
    assert last.extra == {"via": "page", "filters": {"action": "update"}}


def test_searching_by_each_filter_finds_only_matching_events(auditor, commander):
    write_events(2)
    request_id = uuid.uuid4()
    token = context.activate(context.RequestContext(request_id=request_id, client_ip="10.20.30.40"))
    try:
        with transaction.atomic():
            target = audit_record(
                actor=commander,
                action=AuditAction.DELETE,
                object_type="org.unit",
                object_id="77",
                object_repr="Đội Cảnh sát giao thông số 3",
            )
    finally:
        context.reset(token)
    client = client_for(auditor)
    for params in [
        {"username": "chi.huy"},
        {"action": "delete"},
        {"object_type": "org.unit"},
        {"object_id": "77"},
        {"request_id": str(request_id)},
        {"client_ip": "10.20.30.40"},
        {"q": "giao thông"},
        {"q": "chi.huy", "action": "delete"},
    ]:
        response = client.get(LIST, params)
        ids = [
            row["id"] for row in response.context["page"].events if row["object_type"] != "audit.auditevent"
        ]
        assert ids == [target.pk], params


def test_the_date_range_is_typed_day_first_and_includes_both_days(auditor):
    write_events(2)
    local = timezone.localdate()
    client = client_for(auditor)
    today = local.strftime("%d/%m/%Y")
    yesterday = (local - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert len(client.get(LIST, {"date_from": today, "date_to": today}).context["page"].events) >= 2
    assert client.get(LIST, {"date_to": yesterday}).context["page"].events == []
    response = client.get(LIST, {"date_from": today, "date_to": yesterday}, headers={"Accept-Language": "en"})
    assert "The end date is before the start date." in response.content.decode()
    assert response.context["page"].events == []


def test_an_unreadable_search_says_so_instead_of_listing(auditor):
    write_events(1)
    response = client_for(auditor).get(LIST, {"date_from": "31/02/2026", "client_ip": "nowhere"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"date_from", "client_ip"}
    assert response.context["page"].events == []


def test_htmx_filtering_answers_with_the_results_table_only(auditor):
    write_events(2)
    response = client_for(auditor).get(LIST, {"action": "update"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert 'class="data"' in body
    assert "/audit/export/?action=update" in body


def test_pages_follow_one_another_by_keyset_without_gaps_or_repeats(auditor):
    events = write_events(120)
    client = client_for(auditor)
    seen: list[int] = []
    page = client.get(LIST, {"object_type": "test.thing"}).context["page"]
    seen += [row["id"] for row in page.events]
    while page.older:
        page = client.get(LIST, {"object_type": "test.thing", "before": page.older}).context["page"]
        seen += [row["id"] for row in page.events]
    assert seen == sorted((e.pk for e in events), reverse=True)
    back = client.get(LIST, {"object_type": "test.thing", "after": page.events[0]["id"]}).context["page"]
    assert [row["id"] for row in back.events] == seen[50:100]
    assert back.newer == seen[50] and back.older == seen[99]


def test_a_page_of_the_log_costs_the_same_queries_however_many_rows_it_shows(
    auditor, django_assert_max_num_queries
):
    client = client_for(auditor)
    write_events(3)
    client.get(LIST)  # warm up: session and the like
    with django_assert_max_num_queries(16) as small:
        client.get(LIST)
    write_events(80)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(LIST)


# One event ------------------------------------------------------------------------------


def test_an_event_shows_its_snapshots_and_a_field_level_diff(auditor):
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="org.unit",
            object_id="9",
            before={"tên": "Đội 1", "cấp": 2, "cũ": "bỏ"},
            after={"tên": "Đội Một", "cấp": 2, "mới": "thêm"},
            username="hệ.thống",
        )
    response = client_for(auditor).get(f"/audit/{event.pk}/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    changes = {c.field: (c.before, c.after, c.kind) for c in response.context["changes"]}
    assert changes == {
        "tên": ("Đội 1", "Đội Một", "changed"),
        "cũ": ("bỏ", None, "removed"),
        "mới": (None, "thêm", "added"),
    }
    body = response.content.decode()
    assert "Đội Một" in body and event.hash in body
    assert response.context["active_nav"] == "audit"
    viewed = AuditEvent.objects.filter(actor_id=auditor.pk).latest("id")
    assert (viewed.action, viewed.object_type, viewed.object_id) == (
        "view",
        "audit.auditevent",
        str(event.pk),
    )


def test_an_event_that_does_not_exist_is_404_for_an_auditor(auditor):
    assert client_for(auditor).get("/audit/999999/").status_code == 404
    assert client_for(auditor).get(f"/audit/{2**70}/").status_code == 404


# Export ---------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_export_is_the_filtered_log_as_csv_and_is_audited(auditor, commander):
    write_events(3)
    with transaction.atomic():
        audit_record(
            actor=commander,
            action=AuditAction.DELETE,
            object_type="org.unit",
            object_id="5",
            object_repr='=HYPERLINK("http://evil")',
            before={"tên": "Đội 5"},
        )
    response = client_for(auditor).get(
        "/audit/export/", {"action": "delete"}, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["User name"], row["Action"], row["Object id"]) == ("chi.huy", "Delete", "5")
    assert row["Object"].startswith("'=HYPERLINK")  # a formula is defused
    assert '"tên": "Đội 5"' in row["Before"]
    assert dt.datetime.strptime(row["Time"], "%d/%m/%Y %H:%M:%S")
    exported = AuditEvent.objects.filter(actor_id=auditor.pk, action=AuditAction.EXPORT).get()
    assert exported.extra == {"format": "csv", "filters": {"action": "delete"}}


def test_an_export_with_an_unreadable_search_is_refused(auditor):
    response = client_for(auditor).get("/audit/export/", {"date_from": "yesterday"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


# Verify ---------------------------------------------------------------------------------


def test_the_chain_card_starts_unverified_and_the_button_verifies_it(auditor):
    write_events(4)
    client = client_for(auditor)
    page = client.get(LIST, headers={"Accept-Language": "en"}).content.decode()
    assert "Not verified yet" in page
    response = client.post("/audit/verify/", headers={"HX-Request": "true", "Accept-Language": "en"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="audit-chain-status"' in body
    assert "Intact" in body
    check = AuditEvent.objects.filter(actor_id=auditor.pk, object_type="audit.auditchainhead").get()
    assert check.action == AuditAction.VIEW
    assert (
        check.extra["result"]["ok"] is True and check.extra["result"]["checked"] == 5
    )  # and the look at the page
    assert "Intact" in client.get(LIST, headers={"Accept-Language": "en"}).content.decode()


def test_a_broken_chain_shows_on_the_card_with_the_first_bad_row(auditor):
    events = write_events(3)
    with triggers_lifted():
        raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [events[1].pk])
    body = client_for(auditor).post("/audit/verify/", headers={"Accept-Language": "en"}).content.decode()
    assert "Broken" in body
    assert f"#{events[1].pk}" in body


def test_the_verify_endpoint_takes_only_post(auditor):
    assert client_for(auditor).get("/audit/verify/").status_code == 405

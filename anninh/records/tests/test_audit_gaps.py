"""Reads and refusals that must leave an audit row (issue 14, item 5): case detail reads (page
and API), register pages and API pages that show reporters' names, the request path of a
scope refusal from get_scoped_or_404, and an out-of-scope commune asked of CompStat."""

from __future__ import annotations

import json

import pytest

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.services.cases import case_create
from anninh.records.services.reports import ReporterInput
from anninh.records.tests.test_incidents_factories import (  # noqa: F401
    fast_passwords,
    world_fixture,
)
from anninh.records.tests.test_reports_helpers import receive
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_B

pytestmark = pytest.mark.django_db


def _new_rows(since: int, **filters):
    return AuditEvent.objects.filter(id__gt=since, **filters)


def _text(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def _last_id() -> int:
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def case_b(personas, world):
    return case_create(actor=personas["investigator"], incident=world["robbery_b"])


@pytest.mark.parametrize(
    ("url", "via"), [("/records/cases/{pk}/", "page"), ("/api/records/cases/{pk}", "api")]
)
def test_reading_a_case_is_audited(personas, case_b, url, via):
    before = _last_id()
    response = client_for(personas["investigator"]).get(url.format(pk=case_b.pk))
    assert response.status_code == 200
    row = _new_rows(before, action=AuditAction.VIEW, object_type="records.case").get()
    assert row.object_id == str(case_b.pk)
    assert row.actor_id == personas["investigator"].pk
    assert row.extra["via"] == via


@pytest.mark.parametrize("url", ["/records/reports/", "/api/records/reports"])
def test_a_register_page_showing_reporters_names_is_audited_with_the_ids_shown(personas, url):
    officer = personas["commune_officer"]
    named = receive(officer, reporter=ReporterInput(full_name="Ngô Văn Lâm", phones=("0903000444",)))
    anonymous = receive(officer)
    before = _last_id()
    response = client_for(officer).get(url)
    assert response.status_code == 200
    assert "Ngô Văn Lâm" in _text(response)
    row = _new_rows(before, action=AuditAction.VIEW, object_type="records.crimereport").get()
    assert set(row.extra["ids"]) == {named.pk, anonymous.pk}
    assert row.extra["reporter_shown_ids"] == [named.pk]


@pytest.mark.parametrize("url", ["/records/reports/", "/api/records/reports"])
def test_a_register_page_without_personal_data_writes_no_read_row(personas, url):
    receive(
        personas["commune_officer"], reporter=ReporterInput(full_name="Ngô Văn Lâm", phones=("0903000444",))
    )
    before = _last_id()
    response = client_for(personas["analyst"]).get(url)
    assert response.status_code == 200
    assert "Ngô Văn Lâm" not in _text(response)
    assert not _new_rows(before, action=AuditAction.VIEW).exists()


@pytest.mark.parametrize("url", ["/records/cases/{pk}/", "/api/records/cases/{pk}"])
def test_a_scope_refusal_records_the_path_that_was_asked(personas, case_b, url):
    path = url.format(pk=case_b.pk)
    before = _last_id()
    response = client_for(personas["commune_officer"]).get(path)
    assert response.status_code == 404
    row = _new_rows(before, action=AuditAction.DENIED).get()
    assert row.extra["reason"] == "scope"
    assert row.extra["path"] == path


def test_compstat_api_refuses_an_out_of_scope_commune_with_an_audited_refusal(personas):
    before = _last_id()
    response = client_for(personas["commune_officer"]).get("/api/compstat/summary", {"commune": COMMUNE_B})
    assert response.status_code == 422
    row = _new_rows(before, action=AuditAction.DENIED).get()
    assert row.actor_id == personas["commune_officer"].pk
    assert row.object_id == COMMUNE_B
    assert row.extra["path"].startswith("/api/compstat/summary")


def test_compstat_page_asked_for_an_out_of_scope_commune_audits_the_refusal(personas):
    before = _last_id()
    response = client_for(personas["commune_officer"]).get("/compstat/", {"commune": COMMUNE_B})
    assert response.status_code == 200
    assert _new_rows(before, action=AuditAction.DENIED, object_id=COMMUNE_B).count() == 1


def test_compstat_own_commune_is_no_refusal(personas):
    from anninh.testing.personas import COMMUNE_A

    before = _last_id()
    response = client_for(personas["commune_officer"]).get("/api/compstat/summary", {"commune": COMMUNE_A})
    assert response.status_code == 200
    assert not _new_rows(before, action=AuditAction.DENIED).exists()

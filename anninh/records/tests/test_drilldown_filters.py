"""Filters the CompStat drill-down needs, and the capped count of the incident list."""

from __future__ import annotations

import pytest

from anninh.records.selectors import incidents as selectors
from anninh.records.tests.test_incidents_factories import fast_passwords, record  # noqa: F401
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


def test_the_incident_list_stops_counting_at_the_cap(personas, monkeypatch):
    for _ in range(4):
        record(personas["commune_officer"])
    monkeypatch.setattr(selectors.CappedPaginator, "cap", 3)
    page = selectors.incident_page(
        viewer=personas["commander"], filters=selectors.IncidentFilters(), per_page=2
    )
    assert page.paginator.count == 3 and page.paginator.capped and page.paginator.num_pages == 2
    response = client_for(personas["commander"]).get("/records/incidents/")
    assert "More than 3 incidents" in response.content.decode()
    monkeypatch.setattr(selectors.CappedPaginator, "cap", 10)
    exact = selectors.incident_page(viewer=personas["commander"], filters=selectors.IncidentFilters())
    assert exact.paginator.count == 4 and not exact.paginator.capped


def test_the_api_counts_up_to_its_cap_and_says_so(personas, monkeypatch):
    officer = personas["commune_officer"]
    for _ in range(4):
        record(officer)
    client = client_for(officer)
    body = client.get("/api/records/incidents?limit=2").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (4, False, 2)
    monkeypatch.setattr(selectors, "API_COUNT_CAP", 3)
    body = client.get("/api/records/incidents?limit=2&offset=2").json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (3, True, 2)
    # The cap counts what the viewer may see, never more.
    other = client_for(personas["other_commune_officer"]).get("/api/records/incidents").json()
    assert (other["count"], other["count_capped"]) == (0, False)


def test_the_article_filter_finds_every_offence_of_the_article(personas):
    from anninh.records.services.incidents import OffenceData

    officer = personas["commune_officer"]
    theft = record(officer)
    both = record(officer, offences=(OffenceData("134"), OffenceData("173")))
    record(officer, offences=(OffenceData("134"),))
    found = selectors.incident_list(
        viewer=personas["commander"], filters=selectors.IncidentFilters(article="173")
    )
    assert set(found) == {theft, both}
    nothing = selectors.incident_list(
        viewer=personas["commander"], filters=selectors.IncidentFilters(article="999")
    )
    assert list(nothing) == []


def test_rescue_kind_filter_and_case_filters(personas):
    from anninh.records.views.cases import parse_filters as case_filters
    from anninh.records.views.incidents import parse_filters

    filters, errors = parse_filters({"kind": "rescue"})
    assert not errors and "fire" not in filters.kinds and "rescue_drowning" in filters.kinds
    cf, errors = case_filters({"occurred_from": "01/12/2025", "cleared_to": "31/01/2026", "commune": "11311"})
    assert not errors and cf.commune == "11311" and cf.occurred_from.day == 1 and cf.cleared_to.month == 1
    _cf, errors = case_filters({"cleared_from": "32/01/2026"})
    assert "cleared_from" in errors

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


def test_rescue_kind_filter_and_case_filters(personas):
    from anninh.records.views.cases import parse_filters as case_filters
    from anninh.records.views.incidents import parse_filters

    filters, errors = parse_filters({"kind": "rescue"})
    assert not errors and "fire" not in filters.kinds and "rescue_drowning" in filters.kinds
    cf, errors = case_filters({"occurred_from": "01/12/2025", "cleared_to": "31/01/2026", "commune": "11311"})
    assert not errors and cf.commune == "11311" and cf.occurred_from.day == 1 and cf.cleared_to.month == 1
    _cf, errors = case_filters({"cleared_from": "32/01/2026"})
    assert "cleared_from" in errors

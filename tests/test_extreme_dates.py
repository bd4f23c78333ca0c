"""Extreme dates never crash a page or an endpoint (issue 14, item 8).

Every list page and API endpoint that takes a date in its query string is called with the
first and last days Python can represent (01/01/0001, 31/12/9999) and a date-time at those
extremes, by a persona who may open it. A page answers with a form error naming the accepted
range (01/01/1900 … 31/12/2100); an endpoint with the documented 422 shape, naming the range for
an ISO date (a date-time where a date is expected is a format error); never a server error.
"""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

DAY_FIRST = ["01/01/0001", "31/12/9999"]
ISO = ["0001-01-01", "9999-12-31"]
DATE_TIMES = ["0001-01-01T00:00:00", "9999-12-31T23:59:59", "9999-12-31T23:59:59+00:00"]
EXTREMES = DAY_FIRST + ISO + DATE_TIMES

# (persona, path, {param: None | template}): None means "the extreme value itself". Each row is a
# page or endpoint that reads a date from its query string.
PAGES = [
    ("commander", "/records/reports/", ["received_from", "received_to", "decided_from", "decided_to"]),
    ("commander", "/records/incidents/", ["date_from", "date_to"]),
    (
        "commander",
        "/records/cases/",
        ["initiated_from", "initiated_to", "occurred_from", "occurred_to", "cleared_from", "cleared_to"],
    ),
    ("commander", "/records/cases/clearance/", ["occurred_from", "occurred_to"]),
    ("commander", "/records/io/export/", ["date_from", "date_to"]),
    (
        "analyst",
        "/compstat/",
        [
            ("period", "custom", "from"),
            ("period", "custom", "to"),
            ("period", "28d", "at"),
            ("period", "ytd", "at"),
        ],
    ),
    ("analyst", "/compstat/near-repeat/", ["date_from", "date_to"]),
    ("analyst", "/compstat/hot-spots/", ["date_from", "date_to"]),
    ("commander", "/patrols/dose/", ["from", "to"]),
    ("commander", "/patrols/new/", ["date"]),
    ("auditor", "/audit/", ["date_from", "date_to"]),
    ("auditor", "/audit/export/", ["date_from", "date_to"]),
]
API = [
    ("commander", "/api/records/reports", ["received_from", "received_to"]),
    ("commander", "/api/records/reports/offences", ["on"]),
    ("commander", "/api/records/incidents", ["date_from", "date_to"]),
    ("commander", "/api/records/incidents/map", ["date_from", "date_to"]),
    ("commander", "/api/records/cases", ["initiated_from", "initiated_to"]),
    (
        "commander",
        "/api/records/cases/clearance",
        [("occurred_from", {"occurred_to": "2026-06-01"}), ("occurred_to", {"occurred_from": "2026-01-01"})],
    ),
    ("commander", "/api/records/io/incidents.csv", ["date_from", "date_to"]),
    ("commander", "/api/records/io/incidents.xlsx", ["date_from", "date_to"]),
    ("commander", "/api/records/io/incidents.geojson", ["date_from", "date_to"]),
    (
        "analyst",
        "/api/compstat/summary",
        [
            ("period", "custom", "from"),
            ("period", "custom", "to"),
            ("period", "28d", "at"),
            ("period", "ytd", "at"),
        ],
    ),
    (
        "analyst",
        "/api/compstat/series",
        [
            ("period", "custom", "from"),
            ("period", "custom", "to"),
            ("period", "28d", "at"),
            ("period", "ytd", "at"),
        ],
    ),
    ("analyst", "/api/compstat/analysis/near-repeat", ["date_from", "date_to"]),
    ("analyst", "/api/compstat/analysis/hot-spots", ["date_from", "date_to"]),
    ("auditor", "/api/audit/events", ["date_from", "date_to"]),
]
RANGE_MESSAGE = "Enter a date between 01/01/1900 and 31/12/2100."
OTHER_END = {"from": "to", "to": "from"}


def _queries(params):
    for param in params:
        for value in EXTREMES:
            if isinstance(param, tuple) and len(param) == 2:
                name, others = param
                yield {name: value, **others}
            elif isinstance(param, tuple):
                key, kind, name = param
                query = {key: kind, name: value}
                if name in OTHER_END:
                    query[OTHER_END[name]] = "01/06/2026"
                yield query
            else:
                yield {param: value}


def _value(query):
    """The extreme value a query carries."""
    return next(v for v in query.values() if v in EXTREMES)


def _cases(rows):
    return [(persona, path, query) for persona, path, params in rows for query in _queries(params)]


def _client(personas, name):
    client = Client(raise_request_exception=False)
    client.force_login(personas[name])
    return client


@pytest.mark.parametrize("persona,path", [(p, u) for p, u, _ in PAGES])
def test_pages_answer_extreme_dates_without_a_server_error(personas, persona, path):
    client = _client(personas, persona)
    rows = [r for r in PAGES if r[1] == path]
    failures = []
    for _persona, _path, query in _cases(rows):
        response = client.get(path, query)
        if response.status_code >= 500:
            failures.append(f"{query}: {response.status_code}")
        elif (
            response.status_code == 200
            and _value(query) not in DATE_TIMES
            and RANGE_MESSAGE not in response.content.decode()
        ):
            failures.append(f"{query}: no message naming the accepted range")
    assert not failures, failures


@pytest.mark.parametrize("persona,path", [(p, u) for p, u, _ in API])
def test_api_answers_extreme_dates_with_a_422_naming_the_range(personas, persona, path):
    client = _client(personas, persona)
    rows = [r for r in API if r[1] == path]
    failures = []
    for _persona, _path, query in _cases(rows):
        response = client.get(path, query)
        if response.status_code != 422:
            failures.append(f"{query}: {response.status_code}")
            continue
        detail = response.json()["detail"]
        if not (isinstance(detail, list) and all({"type", "loc", "msg"} <= set(item) for item in detail)):
            failures.append(f"{query}: not the 422 shape: {detail}")
        elif _value(query) in ISO and not any(item["msg"] == RANGE_MESSAGE for item in detail):
            failures.append(f"{query}: no message naming the accepted range: {detail}")
    assert not failures, failures


# Dates and date-times in request bodies ---------------------------------------------------------

BODY_EXTREMES = ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59"]


@pytest.mark.parametrize("value", BODY_EXTREMES)
@pytest.mark.parametrize("field", ["occurred_from", "reported_at"])
def test_an_incident_with_a_time_at_the_extremes_is_a_422(personas, field, value):
    from anninh.records.tests.test_incidents_api import body, post

    response = post(personas["commune_officer"], "/api/records/incidents", body(**{field: value}))
    assert response.status_code == 422
    assert any(item["loc"][-1] == field for item in response.json()["detail"])


@pytest.mark.parametrize("value", BODY_EXTREMES)
def test_a_crime_report_received_at_the_extremes_is_a_422(personas, value):
    from anninh.records.tests.test_reports_api import receive_body

    client = _client(personas, "commune_officer")
    response = client.post(
        "/api/records/reports", receive_body(received_at=value), content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "received_at"


@pytest.mark.parametrize("value", ["31/12/9999 23:59", "01/01/0001 00:00"])
def test_the_intake_form_refuses_a_time_of_receipt_at_the_extremes(personas, value):
    from anninh.records.models import CrimeReport

    client = _client(personas, "commune_officer")
    response = client.post("/records/reports/new/", {"received_at": value})
    assert response.status_code == 422
    assert RANGE_MESSAGE in response.content.decode()
    assert not CrimeReport.objects.exists()


@pytest.mark.parametrize("value", ["31/12/9999 23:59", "01/01/0001 00:00"])
def test_the_incident_form_refuses_a_time_at_the_extremes(personas, value):
    from anninh.records.models import Incident

    client = _client(personas, "commune_officer")
    response = client.post("/records/incidents/new/", {"occurred_from": value, "reported_at": value})
    assert response.status_code < 500
    assert RANGE_MESSAGE in response.content.decode()
    assert not Incident.objects.exists()


@pytest.mark.parametrize("at", ["0001-W01", "9999-W52", "1899-W52"])
@pytest.mark.parametrize("path", ["/compstat/", "/api/compstat/summary", "/api/compstat/series"])
def test_compstat_weeks_at_the_extremes_are_refused(personas, path, at):
    response = _client(personas, "analyst").get(path, {"period": "week", "at": at})
    if path.startswith("/api/"):
        assert response.status_code == 422
    else:
        assert response.status_code == 200
        assert "There is no such week." in response.content.decode()

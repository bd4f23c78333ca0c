"""Service indicators: the arithmetic on hand-made rows, the hook for other apps' figures,
and the page (each unit's own figures; every unit for commanders and analysts)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from anninh.lib.dates import HCM_TZ
from anninh.requests import indicators, services
from anninh.requests.kpi import RequestFacts, compute, month_bucket, period_bucket
from anninh.requests.tests.factories import submit
from anninh.testing.matrix import client_for

D = dt.date
T = dt.datetime
NOV = month_bucket(D(2026, 11, 1), D(2026, 11, 30))
TODAY = D(2026, 12, 10)


def facts(due, received, answered=None, reopened=False, rating=None, unit=1):
    return RequestFacts(unit, received, due, answered, reopened, rating)


ROWS = [
    # due 10/11, answered 09/11 after 2 days: on time, reopened, rated 5
    facts(D(2026, 11, 10), T(2026, 11, 7, 12), T(2026, 11, 9, 12), reopened=True, rating=5),
    # due 12/11, answered 13/11 after 4 days: late, rated 2
    facts(D(2026, 11, 12), T(2026, 11, 9, 12), T(2026, 11, 13, 12), rating=2),
    # due 20/11, never answered, overdue by today: late
    facts(D(2026, 11, 20), T(2026, 11, 17, 9)),
    # due 30/11, answered the same day after 1 day: on time, not rated
    facts(D(2026, 11, 30), T(2026, 11, 29, 8), T(2026, 11, 30, 8)),
    # due in October, answered on 02/11 after 6 days: counts for answers in November only
    facts(D(2026, 10, 30), T(2026, 10, 27, 12), T(2026, 11, 2, 12), rating=4),
    # another unit
    facts(D(2026, 11, 5), T(2026, 11, 2, 9), T(2026, 11, 3, 9), unit=2),
]


def test_on_time_counts_the_requests_due_in_the_month():
    cell = compute(ROWS, NOV, TODAY)[(1, "2026-11")]
    assert (cell.on_time, cell.due) == (2, 4)
    assert cell.on_time_rate == 0.5


def test_median_answer_time_reopen_rate_and_satisfaction_are_of_the_answers_of_the_month():
    cell = compute(ROWS, NOV, TODAY)[(1, "2026-11")]
    assert cell.answered == 4
    assert sorted(cell.answer_days) == [1.0, 2.0, 4.0, 6.0]
    assert cell.median_days == 3.0
    assert cell.reopen_rate == 0.25
    assert (cell.rated, cell.satisfied) == (3, 2)
    assert cell.mean_rating == pytest.approx(11 / 3)


def test_a_request_not_yet_due_and_unanswered_is_left_out():
    rows = [facts(D(2026, 11, 30), T(2026, 11, 25, 9))]
    assert compute(rows, NOV, D(2026, 11, 30)) == {}
    assert compute(rows, NOV, D(2026, 12, 1))[(1, "2026-11")].due == 1


def test_units_are_kept_apart_and_a_period_bucket_sums_them():
    by_unit = compute(ROWS, NOV, TODAY)
    assert (by_unit[(2, "2026-11")].on_time, by_unit[(2, "2026-11")].due) == (1, 1)
    period = compute(ROWS, period_bucket(D(2026, 11, 1), D(2026, 11, 7)), TODAY)
    # In 01-07/11: unit 1 answered one (02/11, due in October); unit 2 due 05/11 on time.
    assert period[(1, "period")].answered == 1 and period[(1, "period")].due == 0
    assert period[(2, "period")].on_time == 1


def test_empty_cells_have_no_rates():
    from anninh.requests.kpi import Indicator

    empty = Indicator()
    assert (empty.on_time_rate, empty.median_days, empty.reopen_rate, empty.satisfaction_rate) == (None,) * 4


@pytest.mark.django_db
def test_indicators_from_stored_requests_and_another_apps_source(personas, monkeypatch):
    officer = personas["commune_officer"]
    with time_machine.travel(T(2026, 11, 2, 9, tzinfo=HCM_TZ), tick=False):
        first, code = submit()  # due 05/11
        second, _c = submit()
        merged, _c = submit()
    with time_machine.travel(T(2026, 11, 4, 9, tzinfo=HCM_TZ), tick=False):
        services.request_answer(actor=officer, request=first, text="Xong.")
        services.request_rate(request=services.request_by_code(code), rating=5)
        services.request_merge(actor=officer, request=merged, into=first)
    with time_machine.travel(T(2026, 11, 9, 9, tzinfo=HCM_TZ), tick=False):
        services.request_answer(actor=officer, request=second, text="Muộn.")
    monkeypatch.setattr(indicators, "_SOURCES", {})
    indicators.register_source(
        "dialogue",
        "Dialogue recommendations resolved on time",
        lambda first, last, units: [
            (officer.unit_id, D(2026, 11, 20), True),
            (officer.unit_id, D(2026, 11, 20), False),  # two items due the same day both count
            (officer.unit_id, D(2026, 11, 25), None),  # not yet known: left out
        ],
    )
    with time_machine.travel(T(2026, 12, 1, 9, tzinfo=HCM_TZ), tick=False):
        table = indicators.indicators_for(viewer=officer, first=D(2026, 11, 1), last=D(2026, 11, 30))
    assert len(table.rows) == 1
    cell = table.rows[0].figures
    assert (cell.on_time, cell.due, cell.answered, cell.rated, cell.satisfied) == (1, 2, 2, 1, 1)
    assert cell.extra == {"dialogue": (1, 2)}
    assert table.rows[0].unit == officer.unit


@pytest.mark.django_db
def test_the_page_shows_a_commune_officer_their_unit_only_and_a_commander_every_unit(personas):
    submit(commune_code="11311")
    other, _c = submit(commune_code="11329")
    services.request_answer(actor=personas["other_commune_officer"], request=other, text="Xong.")
    services.request_answer(
        actor=personas["commune_officer"], request=submit(commune_code="11311")[0], text="Xong."
    )
    officer_page = client_for(personas["commune_officer"]).get("/requests/staff/indicators/").content.decode()
    commander_page = client_for(personas["commander"]).get("/requests/staff/indicators/").content.decode()
    assert "CA11329" not in officer_page and "CA11311" in officer_page
    assert "CA11329" in commander_page and "CA11311" in commander_page

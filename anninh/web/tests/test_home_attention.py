"""The "Needs attention" card of the home page: overdue and soon-due crime reports, incidents
waiting on review, last week's crimes. Each count is the one its own page shows, scoped as
that page is, and the card costs a fixed handful of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from anninh.accounts.roles import Role
from anninh.compstat.periods import Period
from anninh.compstat.selectors import compstat_summary, incident_total
from anninh.records.models import CrimeReport, Incident
from anninh.records.selectors.reports import DUE_SOON_DAYS, deadline_board
from anninh.records.services.review import incident_review
from anninh.records.tests.test_incidents_factories import record, unit_id
from anninh.records.tests.test_reports_helpers import receive
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A, make_user
from anninh.web import selectors

pytestmark = pytest.mark.django_db
EN = {"Accept-Language": "en"}


def tiles(user) -> dict[str, int]:
    """{data-testid: the number shown} of the viewer's attention card."""
    page = client_for(user).get("/", headers=EN).content.decode()
    return {
        name: int(value.replace(",", ""))
        for name, value in re.findall(
            r'data-testid="([a-z-]+)"><a href="[^"]*">\s*<div class="value">([\d,]+)', page
        )
    }


def test_overdue_reports_are_counted_for_the_handling_unit_only(personas):
    officer = personas["commune_officer"]
    receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    receive(officer)
    assert tiles(officer)["overdue"] == 1
    assert tiles(personas["other_commune_officer"])["overdue"] == 0
    assert tiles(personas["commander"])["overdue"] == 1


def test_the_deadline_tiles_equal_the_deadline_board_at_its_edges(personas):
    officer = personas["commune_officer"]
    today = timezone.localdate()
    # Due yesterday (overdue), today and on the last "soon" day (due soon), the day after (later).
    for offset in (-1, 0, DUE_SOON_DAYS, DUE_SOON_DAYS + 1):
        report = receive(officer)
        CrimeReport.objects.filter(pk=report.pk).update(due_on=today + dt.timedelta(days=offset))
    shown = tiles(officer)
    assert (shown["overdue"], shown["due-soon"]) == (1, 2)
    for persona in ("commander", "commune_officer", "other_commune_officer", "investigator"):
        viewer = personas[persona]
        board = deadline_board(viewer=viewer).totals
        shown = tiles(viewer)
        assert (shown["overdue"], shown["due-soon"]) == (board.overdue, board.soon), persona


def test_returned_incidents_and_those_awaiting_approval(personas):
    officer = personas["commune_officer"]
    supervisor = make_user("sup_home", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}", is_supervisor=True)
    first, second = record(officer), record(officer)
    for incident in (first, second):
        incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    assert tiles(supervisor)["awaiting-approval"] == 2
    assert "awaiting-approval" not in tiles(officer)  # not a supervisor

    first = Incident.objects.get(pk=first.pk)
    incident_review(
        actor=supervisor, incident=first, action="return", comment="Thiếu lời khai", version=first.version
    )
    assert tiles(supervisor)["awaiting-approval"] == 1
    assert tiles(officer)["returned"] == 1
    assert tiles(personas["other_commune_officer"])["returned"] == 0


def test_the_links_open_the_lists_the_tiles_count(personas):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    page = client_for(officer).get("/", headers=EN).content.decode()
    assert 'href="/records/deadlines/"' in page
    assert 'href="/records/incidents/?review_status=returned"' in page
    listed = (
        client_for(officer).get("/records/incidents/?review_status=submitted", headers=EN).content.decode()
    )
    assert incident.number in listed


def test_last_weeks_crimes_are_counted_as_compstat_counts_them(personas):
    period = Period.default()
    monday = dt.datetime.combine(period.first, dt.time(10), tzinfo=timezone.get_current_timezone())
    officer = personas["commune_officer"]
    record(officer, occurred_from=monday, reported_at=monday + dt.timedelta(hours=1))
    record(
        officer,
        occurred_from=monday + dt.timedelta(days=2),
        reported_at=monday + dt.timedelta(days=2, hours=1),
    )
    record(officer, occurred_from=monday - dt.timedelta(days=3), reported_at=monday - dt.timedelta(days=2))
    commander = personas["commander"]
    total = incident_total(viewer=commander, period=period)
    assert (total.current, total.previous) == (2, 1)
    assert total.current == compstat_summary(viewer=commander, period=period, with_series=False).total.current
    assert tiles(commander)["last-week"] == 2
    assert tiles(personas["other_commune_officer"])["last-week"] == 0


def test_fire_and_rescue_officers_see_last_weeks_fires_and_rescues(personas):
    period = Period.default()
    monday = dt.datetime.combine(period.first, dt.time(10), tzinfo=timezone.get_current_timezone())
    when = {"occurred_from": monday, "reported_at": monday + dt.timedelta(hours=1)}
    for kind in ("fire", "rescue_drowning"):
        record(
            personas["fire_rescue"],
            kind=kind,
            responsible_unit_id=unit_id("PC07"),
            offences=(),
            losses=(),
            narrative="Cháy kho hàng.",
            **when,
        )
    record(personas["commune_officer"], **when)  # a crime: not counted
    fire_rescue = personas["fire_rescue"]
    assert tiles(fire_rescue)["fires-last-week"] == 2
    total = incident_total(viewer=fire_rescue, period=period, fire_rescue=True)
    assert (total.current, total.previous) == (2, 0)
    listed = client_for(fire_rescue).get(total.url, headers=EN).content.decode()
    assert listed.count('data-href="/records/incidents/') == 2


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("commander", {"overdue", "due-soon", "last-week"}),  # commanders do not write incidents
        ("analyst", {"overdue", "due-soon", "last-week"}),
        ("investigator", {"overdue", "due-soon", "returned", "last-week"}),
        ("commune_officer", {"overdue", "due-soon", "returned", "last-week"}),
        ("fire_rescue", {"returned", "fires-last-week"}),
        ("public_relations", set()),
        ("auditor", set()),
        ("administrator", set()),
        ("no_role", set()),
    ],
)
def test_each_role_sees_the_tiles_of_its_work(personas, persona, expected):
    assert set(tiles(personas[persona])) == expected
    assert (selectors.attention(viewer=personas[persona]) is None) == (not expected)


def test_the_card_costs_a_fixed_number_of_queries(personas, django_assert_max_num_queries):
    officer = personas["commune_officer"]
    for days in (60, 1, 2):
        receive(officer, received_at=timezone.now() - dt.timedelta(days=days))
    for _ in range(3):
        record(officer)
    supervisor = make_user("sup_q", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}", is_supervisor=True)
    with django_assert_max_num_queries(6):
        attention = selectors.attention(viewer=supervisor)
    assert attention.deadlines.overdue == 1

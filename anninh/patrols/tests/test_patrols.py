"""Patrol plans in the platform: territory kept, audited writes, patrols done only once the
shift began, permissions on every page and endpoint, and the dose table counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from anninh.audit.models import AuditEvent
from anninh.compstat.periods import Period
from anninh.hotspots.models import Forecast, ForecastCell
from anninh.lib.dates import HCM_TZ
from anninh.patrols import selectors, services
from anninh.patrols.models import PatrolAssignment, PatrolPlan
from anninh.records.tests.test_incidents_factories import fast_passwords, local, point_in, record  # noqa: F401
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db
WEEK = Period.week(2026, 10)  # 02/03/2026 to 08/03/2026
DAY = dt.date(2026, 3, 3)


@pytest.fixture
def forecast(personas):
    """A weekly forecast with four cells in commune A (expected 2.1, 1.4, 0.7, 0.35 a week) and
    one in B, written directly (the hotspots service is tested in its own app)."""
    fc = Forecast.objects.create(
        window_start=WEEK.start,
        window_end=WEEK.end,
        model_name="ours",
        model_version="test",
        cell_metres=250,
        history_start=WEEK.start - dt.timedelta(days=365),
        history_end=WEEK.start,
        inputs_digest="0" * 64,
    )
    alat, alon = point_in(COMMUNE_A)
    blat, blon = point_in(COMMUNE_B)
    for rank, (commune, lat, lon, expected) in enumerate(
        [
            (COMMUNE_A, alat, alon, 2.1),
            (COMMUNE_B, blat, blon, 1.8),
            (COMMUNE_A, alat + 0.003, alon, 1.4),
            (COMMUNE_A, alat, alon + 0.003, 0.7),
            (COMMUNE_A, alat + 0.003, alon + 0.003, 0.35),
        ],
        start=1,
    ):
        ForecastCell.objects.create(
            forecast=fc,
            rank=rank,
            cell_index=rank * 10,
            commune_id=commune,
            lat=lat,
            lon=lon,
            expected=expected,
            expected_low=0,
            expected_high=4,
            risk=expected,
        )
    return fc


def approved(personas, plan):
    plan = services.plan_submit(actor=personas["analyst"], plan=plan)
    return services.plan_decide(actor=personas["commander"], plan=plan, approve=True)


def plan_a(personas, teams=2, per_team=1):
    return services.plan_create(
        actor=personas["commune_officer"],
        day=DAY,
        shift="night",
        commune=COMMUNE_A,
        teams=teams,
        cells_per_team=per_team,
    )


def test_plan_assigns_the_communes_best_cells_and_is_audited(personas, forecast):
    plan = plan_a(personas)
    got = [(a.team, a.order, a.expected) for a in plan.assignments.order_by("team", "order")]
    assert got == [(1, 1, 2.1), (2, 1, 1.4)]  # commune B's 1.8 is not theirs
    assert plan.expected_covered == pytest.approx(3.5)
    assert AuditEvent.objects.filter(action="create", object_id=str(plan.pk)).exists()
    with pytest.raises(services.PatrolError):
        plan_a(personas)  # one plan per commune and shift
    with pytest.raises(PermissionDenied):
        services.plan_create(
            actor=personas["commune_officer"], day=DAY, shift="night", commune=COMMUNE_B, teams=1
        )
    with pytest.raises(services.PatrolError):
        services.plan_create(
            actor=personas["commander"], day=dt.date(2026, 5, 1), shift="night", commune=COMMUNE_B, teams=1
        )


def test_checkpoints_ranked_by_risk_nearby(personas, forecast):
    alat, alon = point_in(COMMUNE_A)
    near = services.checkpoint_site_create(
        actor=personas["commune_officer"], name="Ngã tư A", commune=COMMUNE_A, lat=alat, lon=alon
    )
    far = services.checkpoint_site_create(
        actor=personas["commune_officer"],
        name="Bến xa",
        commune=COMMUNE_A,
        lat=alat + 0.0015,
        lon=alon + 0.0015,
    )
    with pytest.raises(services.PatrolError):
        services.checkpoint_site_create(
            actor=personas["commune_officer"],
            name="Sai xã",
            commune=COMMUNE_A,
            lat=point_in(COMMUNE_B)[0],
            lon=point_in(COMMUNE_B)[1],
        )
    plan = plan_a(personas)
    assert [c.site_id for c in plan.checkpoints.order_by("rank")] == [near.pk, far.pk]


def test_patrol_done_only_after_the_shift_began_and_by_the_commune(personas, forecast):
    plan = approved(personas, plan_a(personas))
    a = plan.assignments.first()
    before_shift = dt.datetime(2026, 3, 3, 21, 0, tzinfo=HCM_TZ)  # the night shift starts at 22:00
    with time_machine.travel(before_shift), pytest.raises(services.PatrolError):
        services.patrol_mark_done(actor=personas["commune_officer"], assignment=a)
    with pytest.raises(PermissionDenied):
        services.patrol_mark_done(
            actor=personas["other_commune_officer"],
            assignment=a,
            now=dt.datetime(2026, 3, 3, 23, 0, tzinfo=HCM_TZ),
        )
    done = services.patrol_mark_done(
        actor=personas["commune_officer"],
        assignment=a,
        note="Yên tĩnh",
        now=dt.datetime(2026, 3, 3, 23, 0, tzinfo=HCM_TZ),
    )
    assert done.done_by == personas["commune_officer"] and done.note == "Yên tĩnh"
    undone = services.patrol_mark_done(actor=personas["commander"], assignment=done, done=False)
    assert undone.done_at is None
    assert AuditEvent.objects.filter(action="update", object_id=str(plan.pk)).count() == 4  # +submit, approve


def test_dose_table_counted_by_hand(personas, forecast):
    plan = approved(personas, plan_a(personas, teams=2, per_team=1))  # cells 2.1 (team 1), 1.4 (team 2)
    first, second = plan.assignments.order_by("team")
    services.patrol_mark_done(
        actor=personas["commune_officer"], assignment=first, now=dt.datetime(2026, 3, 3, 23, tzinfo=HCM_TZ)
    )
    # Two crimes in the second (unpatrolled) cell during the shift, one in the first, one the
    # next afternoon (outside the shift) and one elsewhere.
    for lat, lon, when in [
        (second.lat, second.lon, local(2026, 3, 4, 1)),
        (second.lat + 0.0003, second.lon, local(2026, 3, 3, 23, 30)),
        (first.lat, first.lon, local(2026, 3, 4, 3)),
        (first.lat, first.lon, local(2026, 3, 4, 15)),
    ]:
        record(
            personas["commune_officer"],
            point=(lat, lon),
            occurred_from=when,
            reported_at=when + dt.timedelta(hours=1),
        )
    rows = {r.key: r for r in selectors.dose_vs_crime(viewer=personas["commander"], since=DAY, until=DAY)}
    assert (rows["patrolled"].cells, rows["patrolled"].patrols, rows["patrolled"].crimes) == (1, 1, 1)
    assert (rows["not_patrolled"].cells, rows["not_patrolled"].crimes) == (1, 2)
    assert rows["patrolled"].expected == pytest.approx(2.1 / 21)  # a weekly forecast: 21 shifts
    assert selectors.dose_vs_crime(viewer=personas["other_commune_officer"], since=DAY, until=DAY) == []


def test_pages_and_api_permissions(personas, forecast):
    plan = plan_a(personas)
    a = plan.assignments.first()
    readers = {"commander": 200, "analyst": 200, "commune_officer": 200}
    refused = {
        "investigator": 403,
        "fire_rescue": 403,
        "public_relations": 403,
        "auditor": 403,
        "administrator": 403,
        "no_role": 403,
    }
    for url in ("/patrols/", "/patrols/checkpoints/", "/patrols/dose/"):
        check_matrix(
            url, {"anonymous": LOGIN, **readers, "other_commune_officer": 200, **refused}, personas=personas
        )
    for url in (f"/patrols/{plan.pk}/", f"/patrols/{plan.pk}/print/"):
        check_matrix(
            url, {"anonymous": LOGIN, **readers, "other_commune_officer": 404, **refused}, personas=personas
        )
    check_matrix(
        "/patrols/new/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "analyst": 200,
            **refused,
        },
        personas=personas,
    )
    for url in ("/api/patrols/plans", "/api/patrols/checkpoints"):
        check_matrix(
            url,
            {"anonymous": UNAUTHORIZED, **readers, "other_commune_officer": 200, **refused},
            personas=personas,
        )
    check_matrix(
        f"/api/patrols/plans/{plan.pk}",
        {"anonymous": UNAUTHORIZED, **readers, "other_commune_officer": 404, **refused},
        personas=personas,
        audit_denials=False,
    )
    other = client_for(personas["other_commune_officer"])
    assert other.get("/api/patrols/plans").json()["count"] == 0
    response = other.post(
        f"/api/patrols/assignments/{a.pk}/done", {"done": True}, content_type="application/json"
    )
    assert response.status_code == 404
    assert PatrolAssignment.objects.get(pk=a.pk).done_at is None


def test_make_plans_from_the_page_and_mark_done_with_htmx(personas, forecast):
    client = client_for(personas["commander"])
    response = client.post(
        "/patrols/new/",
        {
            "date": "03/03/2026",
            "shift": "night",
            "cells_per_team": "1",
            f"teams_{COMMUNE_A}": "2",
            f"teams_{COMMUNE_B}": "1",
        },
    )
    assert response.status_code == 302 and PatrolPlan.objects.count() == 2
    bad = client.post("/patrols/new/", {"date": "04/03/2026", "shift": "night", f"teams_{COMMUNE_A}": "x"})
    assert bad.status_code == 400
    plan = approved(personas, PatrolPlan.objects.get(commune_id=COMMUNE_A))
    a = plan.assignments.first()
    officer = client_for(personas["commune_officer"])
    with time_machine.travel(dt.datetime(2026, 3, 3, 23, 0, tzinfo=HCM_TZ)):
        done = officer.post(
            f"/patrols/{plan.pk}/assignments/{a.pk}/done/",
            {"done": "1", "note": "ok"},
            HTTP_HX_REQUEST="true",
        )
    assert done.status_code == 200 and "✔" in done.content.decode()
    printed = client_for(personas["commune_officer"]).get(f"/patrols/{plan.pk}/print/").content.decode()
    assert "<svg" in printed and "<script" not in printed


def test_list_query_count(personas, forecast, django_assert_max_num_queries):
    plan_a(personas)
    client = client_for(personas["commander"])
    with django_assert_max_num_queries(12):
        assert client.get("/patrols/").status_code == 200


def test_shift_bounds_the_night_runs_into_the_next_morning():
    start, end = services.shift_bounds(DAY, "night")
    assert (start, end) == (
        dt.datetime(2026, 3, 3, 22, tzinfo=HCM_TZ),
        dt.datetime(2026, 3, 4, 6, tzinfo=HCM_TZ),
    )
    assert services.shift_bounds(DAY, "morning") == (
        dt.datetime(2026, 3, 3, 6, tzinfo=HCM_TZ),
        dt.datetime(2026, 3, 3, 14, tzinfo=HCM_TZ),
    )


def test_a_shift_forecast_is_preferred_to_the_weeks(personas, forecast):
    assert services.forecast_for(DAY, "night") == forecast
    shift = Forecast.objects.create(
        window_start=WEEK.start,
        window_end=WEEK.end,
        horizon="shift",
        shift="night",
        model_name="ours",
        model_version="test",
        cell_metres=250,
        history_start=WEEK.start - dt.timedelta(days=365),
        history_end=WEEK.start,
        inputs_digest="1" * 64,
    )
    assert services.forecast_for(DAY, "night") == shift
    assert services.forecast_for(DAY, "morning") == forecast  # no morning forecast: the week's
    assert services.forecast_for(dt.date(2026, 3, 9), "morning") is None  # the next week has none


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shift": "lunch"}, "shift"),
        ({"commune": "99999"}, "commune"),
        ({"teams": 0}, "teams"),
        ({"teams": services.MAX_TEAMS + 1}, "teams"),
        ({"cells_per_team": 0}, "cells"),
        ({"cells_per_team": services.MAX_CELLS_PER_TEAM + 1}, "cells"),
    ],
)
def test_a_plan_request_out_of_bounds_is_refused_and_nothing_is_written(personas, forecast, changes, message):
    request = {
        "actor": personas["commander"],
        "day": DAY,
        "shift": "night",
        "commune": COMMUNE_A,
        "teams": 2,
        "cells_per_team": 1,
    }
    with pytest.raises(services.PatrolError) as exc:
        services.plan_create(**{**request, **changes})
    assert message in str(exc.value).lower()
    assert not PatrolPlan.objects.exists() and not PatrolAssignment.objects.exists()


def test_more_places_than_cells_uses_every_cell_once(personas, forecast):
    plan = plan_a(personas, teams=3, per_team=2)  # six places, four cells in commune A
    got = sorted((a.team, a.order, a.expected) for a in plan.assignments.all())
    # Snake: 2.1 → team 1, 1.4 → team 2, 0.7 → team 3, 0.35 → team 3 again.
    assert got == [(1, 1, 2.1), (2, 1, 1.4), (3, 1, 0.7), (3, 2, 0.35)]
    assert plan.expected_covered == pytest.approx(4.55)

"""Events: who reads which event, the risk register's history and its signal, incidents linked
by area and period, checkpoints and routes from the patrol planner, the after-action report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anninh.audit.models import AuditEvent
from anninh.events import selectors, services
from anninh.events.models import Event, EventPatrolStop, RiskChange
from anninh.events.tests.factories import make_event
from anninh.geo.models import Commune
from anninh.records.tests.test_incidents_factories import record, unit_id
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(personas):
    return make_event(commander=personas["commander"])


def test_a_commune_officer_reads_the_events_with_a_venue_in_their_commune_only(event, personas):
    assert list(selectors.event_list(viewer=personas["commune_officer"])) == [event]
    assert list(selectors.event_list(viewer=personas["other_commune_officer"])) == []
    assert list(selectors.event_list(viewer=personas["analyst"])) == [event]
    assert list(selectors.event_list(viewer=personas["civil_defence_leader"])) == []


def test_an_investigator_reads_an_event_once_their_department_is_assigned(event, personas):
    from anninh.org.models import Unit

    investigator = personas["investigator"]
    assert not Event.objects.restrict(investigator).exists()
    services.unit_assign(
        actor=personas["commander"],
        event=event,
        unit=Unit.objects.get(pk=unit_id("PC02")),
        task="Trinh sát",
        shift_start=event.starts_at,
        shift_end=event.ends_at,
    )
    assert list(Event.objects.restrict(investigator)) == [event]


def test_only_a_commander_creates_an_event(personas):
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.event_create(
            actor=personas["commune_officer"],
            name="x",
            kind="festival",
            starts_at=now,
            ends_at=now + dt.timedelta(hours=1),
        )


def test_an_event_ends_after_it_starts(personas):
    now = timezone.now()
    with pytest.raises(services.EventError):
        services.event_create(
            actor=personas["commander"], name="x", kind="festival", starts_at=now, ends_at=now
        )


def test_a_venue_outside_hai_phong_is_refused(event, personas):
    with pytest.raises(services.EventError):
        services.venue_add(actor=personas["commander"], event=event, name="Hà Nội", lat=21.03, lon=105.85)


def test_a_venue_drawn_as_a_polygon_keeps_its_shape_and_an_inside_point(event, personas):
    c = Commune.objects.get(pk=COMMUNE_A)
    lat, lon, d = c.point_lat, c.point_lon, 0.0005
    ring = [
        [lon - d, lat - d],
        [lon + d, lat - d],
        [lon + d, lat + d],
        [lon - d, lat + d],
        [lon - d, lat - d],
    ]
    venue = services.venue_add(
        actor=personas["commander"],
        event=event,
        name="Quảng trường",
        shape={"type": "Polygon", "coordinates": [ring]},
    )
    assert venue.shape["type"] == "Polygon"
    assert venue.commune_id == COMMUNE_A
    assert abs(venue.lat - lat) < d and abs(venue.lon - lon) < d


def test_updating_a_risk_keeps_every_version_audits_it_and_signals_it(
    event, personas, django_capture_on_commit_callbacks
):
    officer = personas["commune_officer"]
    received = []

    def listener(sender, risk, change, before, actor, **kwargs):
        received.append((risk.pk, change.version, before.get("likelihood"), risk.likelihood))

    services.risk_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            risk = services.risk_create(
                actor=officer,
                event=event,
                threat="Tụ tập đông người",
                likelihood=2,
                impact=4,
                owner="CA phường",
            )
        with django_capture_on_commit_callbacks(execute=True):
            risk = services.risk_update(
                actor=officer, risk=risk, version=1, likelihood=4, note="Có tin báo mới"
            )
    finally:
        services.risk_changed.disconnect(listener)
    assert risk.version == 2 and risk.score == 16 and risk.level == "high"
    history = list(RiskChange.objects.filter(risk=risk).order_by("version"))
    assert [(h.version, h.likelihood) for h in history] == [(1, 2), (2, 4)]
    assert history[1].note == "Có tin báo mới" and history[1].changed_by == officer
    audit = (
        AuditEvent.objects.unrestricted()
        .filter(object_type="events.risk", object_id=str(risk.pk), action="update")
        .get()
    )
    assert audit.before == {"likelihood": 2} and audit.after == {"likelihood": 4}
    assert received == [(risk.pk, 1, None, 2), (risk.pk, 2, 2, 4)]


def test_a_stale_risk_update_is_refused_and_an_empty_one_writes_nothing(event, personas):
    officer = personas["commune_officer"]
    risk = services.risk_create(
        actor=officer, event=event, threat="Flycam", likelihood=3, impact=3, owner="PK02"
    )
    services.risk_update(actor=officer, risk=risk, version=1, status="monitoring")
    with pytest.raises(services.EventError):
        services.risk_update(actor=officer, risk=risk, version=1, status="closed")
    services.risk_update(actor=officer, risk=risk, status="monitoring")
    assert RiskChange.objects.filter(risk=risk).count() == 2


def test_a_risk_out_of_range_is_refused(event, personas):
    with pytest.raises(services.EventError):
        services.risk_create(
            actor=personas["commander"], event=event, threat="x", likelihood=6, impact=1, owner="y"
        )


def test_an_officer_of_another_commune_cannot_change_the_risks(event, personas):
    risk = services.risk_create(
        actor=personas["commander"], event=event, threat="x", likelihood=1, impact=1, owner="y"
    )
    with pytest.raises(PermissionDenied):
        services.risk_update(actor=personas["other_commune_officer"], risk=risk, likelihood=5)


def test_incidents_in_the_area_and_period_are_linked_and_scoped(event, personas):
    officer = personas["commune_officer"]
    venue = event.venues.get()
    during = event.starts_at + dt.timedelta(hours=2)
    near = record(officer, occurred_from=during, reported_at=during, point=(venue.lat + 0.002, venue.lon))
    unplaced = record(officer, occurred_from=during, reported_at=during, point=None)
    before = record(
        officer,
        occurred_from=event.starts_at - dt.timedelta(hours=3),
        reported_at=event.starts_at - dt.timedelta(hours=2),
        point=(venue.lat, venue.lon),
    )
    far_b = record(
        personas["other_commune_officer"], commune=COMMUNE_B, occurred_from=during, reported_at=during
    )
    linked = selectors.event_incidents(viewer=personas["commander"], event=event)
    ids = [li.incident.pk for li in linked]
    assert near.pk in ids and unplaced.pk in ids
    assert before.pk not in ids
    b = Commune.objects.get(pk=COMMUNE_B)
    from anninh.events.area import metres_between

    assert metres_between(b.point_lat, b.point_lon, venue.lat, venue.lon) > event.area_radius_m
    assert far_b.pk not in ids
    near_row = next(li for li in linked if li.incident.pk == near.pk)
    assert 150 < near_row.distance_m < 300  # 0.002° of latitude ≈ 222 m
    # A viewer sees only the linked incidents they may read.
    assert {
        li.incident.pk
        for li in selectors.event_incidents(viewer=personas["civil_defence_leader"], event=event)
    } == set()


def _forecast_around(lat: float, lon: float, commune: str):
    from anninh.compstat.periods import Period
    from anninh.hotspots.models import Forecast, ForecastCell

    week = Period.week(*timezone.localdate().isocalendar()[:2])
    forecast = Forecast.objects.create(
        window_start=week.start,
        window_end=week.end,
        model_name="ours",
        model_version="test",
        cell_metres=250,
        history_start=week.start - dt.timedelta(days=365),
        history_end=week.start,
        inputs_digest="0" * 64,
    )
    for i, (dlat, expected) in enumerate(
        [(0.001, 3.0), (0.003, 2.0), (-0.002, 1.5), (0.004, 1.0), (0.05, 9.0)]
    ):
        ForecastCell.objects.create(
            forecast=forecast,
            rank=i + 1,
            cell_index=i + 1,
            commune_id=commune,
            lat=lat + dlat,
            lon=lon,
            expected=expected,
            expected_low=0,
            expected_high=expected * 2,
            risk=expected,
        )
    return forecast


def test_checkpoints_and_routes_come_from_the_forecast_cells_around_the_venues(personas):
    from anninh.patrols.models import CheckpointSite

    commander = personas["commander"]
    c = Commune.objects.get(pk=COMMUNE_A)
    from anninh.lib.dates import HCM_TZ

    start = dt.datetime.combine(timezone.localdate(), dt.time(15), tzinfo=HCM_TZ)  # in this week's forecast
    event = make_event(commander=commander, starts_at=start)
    _forecast_around(c.point_lat, c.point_lon, COMMUNE_A)
    site = CheckpointSite.objects.create(
        name="Cổng chính", commune_id=COMMUNE_A, lat=c.point_lat + 0.001, lon=c.point_lon
    )
    result = services.event_plan_security(actor=commander, event=event, teams=2, cells_per_team=2)
    stops = list(EventPatrolStop.objects.filter(event=event))
    # The cell 0.05° (5.5 km) away is outside the 1,000 m area, though it has the most risk.
    assert len(stops) == 4 and all(abs(s.lat - c.point_lat) < 0.01 for s in stops)
    assert sorted(s.expected for s in stops) == [1.0, 1.5, 2.0, 3.0]
    assert result["checkpoints"] == 1 and event.checkpoints.get().site == site
    # Planning again replaces the routes.
    services.event_plan_security(actor=commander, event=event, teams=1, cells_per_team=1)
    assert EventPatrolStop.objects.filter(event=event).count() == 1


def test_planning_without_a_forecast_says_what_to_do(event, personas):
    with pytest.raises(services.EventError, match="forecast"):
        services.event_plan_security(actor=personas["commander"], event=event)


def test_the_after_action_report_has_the_register_the_log_and_the_incidents_and_prints(
    event, personas, client
):
    officer = personas["commune_officer"]
    services.risk_create(
        actor=officer, event=event, threat="Biểu tình tự phát", likelihood=3, impact=5, owner="PA04"
    )
    services.log_append(actor=officer, event=event, text="Khai mạc đúng giờ.")
    during = event.starts_at + dt.timedelta(hours=1)
    incident = record(officer, occurred_from=during, reported_at=during)
    client.force_login(officer)
    html = client.get(f"/events/{event.pk}/report/").content.decode()
    assert "Biểu tình tự phát" in html and "Khai mạc đúng giờ." in html and incident.number in html
    response = client.get(f"/events/{event.pk}/report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.unrestricted().filter(action="export", object_id=str(event.pk)).exists()


def test_the_event_page_shows_the_sections_and_is_audited(event, personas, client):
    client.force_login(personas["commune_officer"])
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    for marker in ('id="venues"', 'id="risks"', 'id="log"', 'id="incidents"', "Hội trường"):
        assert marker in body
    assert AuditEvent.objects.unrestricted().filter(action="view", object_id=str(event.pk)).exists()
    client.force_login(personas["other_commune_officer"])
    assert client.get(f"/events/{event.pk}/").status_code == 404


def test_a_commander_makes_an_event_from_the_form(personas, client):
    client.force_login(personas["commander"])
    response = client.post(
        "/events/new/",
        {
            "name": "Lễ hội Hoa Phượng Đỏ",
            "kind": "festival",
            "starts_date": "01/05/2027",
            "starts_time": "19:00",
            "ends_date": "03/05/2027",
            "ends_time": "23:00",
            "area_radius_m": "800",
        },
    )
    event = Event.objects.unrestricted().get(name="Lễ hội Hoa Phượng Đỏ")
    assert response.status_code == 302
    assert timezone.localtime(event.starts_at).strftime("%d/%m/%Y %H:%M") == "01/05/2027 19:00"


def test_the_api_lists_the_callers_events_and_appends_to_the_log(event, personas, client):
    import json

    client.force_login(personas["commune_officer"])
    listed = client.get("/api/events/").json()
    assert [e["id"] for e in listed["results"]] == [event.pk]
    response = client.post(
        f"/api/events/{event.pk}/log",
        data=json.dumps({"text": "Đoàn xe qua cầu Lạc Long.", "kind": "action"}),
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["author_role"] == "commune_officer"
    detail = client.get(f"/api/events/{event.pk}").json()
    assert detail["venues"][0]["commune"] == COMMUNE_A
    client.force_login(personas["other_commune_officer"])
    assert client.get("/api/events/").json()["results"] == []
    assert client.get(f"/api/events/{event.pk}").status_code == 404


def test_a_risk_change_made_by_the_system_shows_without_a_name(event, personas, client):
    """A risk version with no user behind it (changed_by empty: seeded or made by the system)
    shows a dash; the event page answered 500 on it."""
    risk = services.risk_create(
        actor=personas["commune_officer"],
        event=event,
        threat="Pháo nổ gần khán đài",
        likelihood=2,
        impact=3,
        owner="CA phường",
    )
    RiskChange.objects.filter(risk=risk).update(changed_by=None)
    client.force_login(personas["commander"])
    response = client.get(f"/events/{event.pk}/")
    assert response.status_code == 200
    assert risk.threat in response.content.decode()

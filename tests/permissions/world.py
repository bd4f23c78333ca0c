"""One record of every kind, placed in commune A (Phường Hồng Bàng) and owned by its commune
police (the `commune_officer` persona), for the permission matrix of every route
(tests/permissions/test_every_route.py). Each URL template names its objects as
`{incident}`, `{report}`, ...; `urls(world)` fills them in."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anninh.accounts import services as account_services
from anninh.audit.models import AuditEvent
from anninh.business.tests.factories import link_account, make_business, make_recommendation
from anninh.compstat.periods import Period
from anninh.hotspots.models import Forecast, ForecastCell
from anninh.patrols import services as patrol_services
from anninh.patrols.models import CheckpointSite, PlanCheckpoint
from anninh.public.tests.factories import publish_warning
from anninh.records.models import IncidentPerson, PersonMatch
from anninh.records.models.imports import ImportJob, ImportJobStatus
from anninh.records.services import incidents as incident_services
from anninh.records.services.cases import case_create
from anninh.records.services.reports import ReporterInput, crime_report_receive
from anninh.records.tests.test_incidents_factories import point_in, record, unit_id
from anninh.reports.models import Report
from anninh.requests.tests.factories import jpeg_with_gps
from anninh.requests.tests.factories import submit as request_submit
from anninh.testing.personas import COMMUNE_A, COMMUNE_B


def make_world(personas) -> dict[str, object]:
    officer = personas["commune_officer"]
    now = timezone.now()
    report = crime_report_receive(
        actor=officer,
        kind="to_giac",
        channel="in_person",
        received_at=now - dt.timedelta(hours=5),
        summary="Bị lừa chuyển khoản 50 triệu đồng qua mạng.",
        commune_code=COMMUNE_A,
        offence_article="174",
        reporter=ReporterInput(full_name="Nguyễn Văn Báo", phones=("0912345670",)),
    )
    incident = record(
        officer,
        persons=(incident_services.PersonData(role="victim", full_name="Lê Thị Hại", phone="0912345671"),),
    )
    case = case_create(actor=officer, incident=incident, initiated_on=timezone.localdate())
    person = IncidentPerson.objects.unrestricted().get(incident=incident).person
    lat, lon = point_in(COMMUNE_A)
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
    ForecastCell.objects.create(
        forecast=forecast,
        rank=1,
        cell_index=1,
        commune_id=COMMUNE_A,
        lat=lat,
        lon=lon,
        expected=2.0,
        expected_low=0,
        expected_high=4,
        risk=2.0,
    )
    plan = patrol_services.plan_create(
        actor=officer,
        day=timezone.localdate(),
        shift="morning",
        commune=COMMUNE_A,
        teams=1,
        cells_per_team=1,
    )
    site = CheckpointSite.objects.create(name="Ngã tư", commune_id=COMMUNE_A, lat=lat, lon=lon)
    checkpoint = PlanCheckpoint.objects.create(plan=plan, site=site, rank=99, score=0.0)
    weekly = Report.objects.create(
        kind="week",
        period_first=week.first,
        period_last=week.last,
        slug="test",
        language="vi",
        commune_code=COMMUNE_A,
        html="<p>Báo cáo</p>",
        pdf=b"%PDF-1.4\n",
    )
    token, _raw = account_services.api_token_create(actor=officer, user=officer, name="matrix", days=30)
    # A possible identity between two persons both in commune A, for the review queue.
    other = record(
        officer,
        persons=(
            incident_services.PersonData(role="witness", full_name="Trần Văn Khác", phone="0912345671"),
        ),
    )
    match = PersonMatch.objects.unrestricted().filter(candidate=person).first()
    # Records of commune B, which commune A's officer (and every persona without city-wide
    # reach or B's territory) must never see on any page or in any answer.
    officer_b = personas["other_commune_officer"]
    incident_b = record(
        officer_b,
        commune=COMMUNE_B,
        persons=(incident_services.PersonData(role="victim", full_name="Phạm Thị Bêbê", phone="0912345679"),),
    )
    report_b = crime_report_receive(
        actor=officer_b,
        kind="to_giac",
        channel="in_person",
        received_at=now - dt.timedelta(hours=4),
        summary="Trộm cắp tài sản tại chợ.",
        commune_code=COMMUNE_B,
        offence_article="173",
    )
    job = ImportJob.objects.create(
        unit=officer.unit,
        created_by=officer,
        token="matrix",
        file_name="su-vu.csv",
        status=ImportJobStatus.DONE,
        rows_total=1,
        result={"rows": 1, "created": 0, "updated": 0, "unchanged": 1, "problems": [], "file_problems": []},
    )
    warning = publish_warning(drafter=personas["public_relations"], approver=personas["commander"])
    # Event security (issue #11 item 2): an event with a venue in commune A, a risk and a log
    # entry; an event in commune B that commune A's officer must never see.
    from anninh.civildefence.tests.factories import make_team
    from anninh.events import services as event_services
    from anninh.events.tests.factories import make_event

    sec_event = make_event(commander=personas["commander"])
    risk = event_services.risk_create(
        actor=officer, event=sec_event, threat="Tụ tập đông người", likelihood=3, impact=4, owner="CA phường"
    )
    event_services.log_append(actor=officer, event=sec_event, text="Bắt đầu trực.")
    make_event(commander=personas["commander"], commune=COMMUNE_B, name="Lễ hội phường Bêbê")
    # Civil defence (item 3): the leader persona leads a team of commune A; a team of B.
    cd_team = make_team(actor=officer, commune=COMMUNE_A, leader=personas["civil_defence_leader"])
    make_team(
        actor=officer_b,
        commune=COMMUNE_B,
        name="Tổ ANTT phường Bêbê",
        members=1,
        member_prefix="Hoàng Văn Bêbê",
    )
    # A request from the public in commune A, routed to its commune police, with a picture.
    service_request, _code = request_submit("order-problem", commune_code=COMMUNE_A, images=[jpeg_with_gps()])
    inv = _investigation_world(personas, report, case)
    # Issue 11: a wanted notice and an arrest in commune A, and a campaign for commune A.
    from anninh.campaigns.services import campaign_create
    from anninh.enforcement import services as enforcement_services

    wanted = enforcement_services.wanted_create(
        actor=officer,
        person_id=person.pk,
        warrant_number="01/QĐ-TN",
        issuing_body="Cơ quan CSĐT Công an thành phố Hải Phòng",
        issued_on=timezone.localdate() - dt.timedelta(days=30),
        unit_id=unit_id(f"CA{COMMUNE_A}"),
        commune_code=COMMUNE_A,
    )
    arrest = enforcement_services.arrest_create(
        actor=officer,
        person_id=person.pk,
        arrested_at=now - dt.timedelta(hours=2),
        commune_code=COMMUNE_A,
        unit_id=unit_id(f"CA{COMMUNE_A}"),
        basis="in_the_act",
        case_id=case.pk,
    )
    campaign = campaign_create(
        actor=personas["commander"],
        name="Cao điểm tấn công, trấn áp tội phạm",
        first=timezone.localdate() - dt.timedelta(days=10),
        last=timezone.localdate() + dt.timedelta(days=20),
        communes=[COMMUNE_A],
        unit_ids=[unit_id(f"CA{COMMUNE_A}")],
    )
    alert, subscription, field_report = _alerts_and_field(officer, now)
    # A business of commune A with a recommendation assigned to commune A's police; the
    # `business` persona speaks for it.
    business = make_business(personas["commander"])
    recommendation = make_recommendation(personas["commander"], business=business)
    link_account(personas["business"], business)
    return {
        "officer": officer,
        "numbers": {
            "incident": incident.number,
            "report": report.register_number,
            "case": case.number,
            "person": person.full_name,
        },
        # Markers of commune B's records: (text, personal data?)
        "b_markers": [
            (incident_b.number, False),
            (report_b.register_number, False),
            ("Phạm Thị Bêbê", True),
            ("Lễ hội phường Bêbê", False),
            ("Tổ ANTT phường Bêbê", False),
            ("Hoàng Văn Bêbê", True),
        ],
        "job": job.pk,
        "report": report.pk,
        "incident": incident.pk,
        "other_incident": other.pk,
        "case": case.pk,
        "person": person.pk,
        "match": match.pk if match else 0,
        "forecast": forecast.pk,
        "plan": plan.pk,
        "assignment": plan.assignments.unrestricted().first().pk,
        "site": site.pk,
        "checkpoint": checkpoint.pk,
        "weekly": weekly.pk,
        "token": token.pk,
        "service_request": service_request.pk,
        "request_public_id": service_request.public_id,
        "request_token": service_request.token,
        "request_attachment": service_request.attachments.unrestricted().first().pk,
        "event": AuditEvent.objects.unrestricted().order_by("id").first().pk,
        "warning": warning.pk,
        "sec_event": sec_event.pk,
        "risk": risk.pk,
        "cd_team": cd_team.pk,
        **inv,
        "alert": alert.pk,
        "subscription": subscription.pk,
        "field_report": field_report.pk,
        "business": business.pk,
        "business_account": personas["business"].business_account.pk,
        "meeting": recommendation.meeting_id,
        "recommendation": recommendation.pk,
        "commune": COMMUNE_A,
        "unit": unit_id(f"CA{COMMUNE_A}"),
        "campaign": campaign.pk,
        "arrest": arrest.pk,
        "wanted": wanted.pk,
    }


def _investigation_world(personas, report, case) -> dict[str, int]:
    """An investigation whose team is the `investigator` persona (no grant to anyone: the
    commander and the auditor get 404), with two entities, a pair to review and a merge."""
    from anninh.investigations import services as inv_services
    from anninh.investigations.models import Entity, MatchCandidate

    investigator = personas["investigator"]
    inv = inv_services.investigation_create(
        actor=investigator,
        code="CA-2026-001",
        title="Lừa đảo sàn ngoại hối",
        kind="chuyen_an",
        unit=investigator.unit,
        opened_on=timezone.localdate(),
    )
    inv.crime_reports.add(report)
    inv.cases.add(case)
    a = Entity.objects.create(
        investigation=inv, kind="person", key="cccd:031090000001", label="Nguyễn Văn Nạn"
    )
    b = Entity.objects.create(investigation=inv, kind="person", key="row:1", label="Nguyen Van Nan")
    c = Entity.objects.create(investigation=inv, kind="person", key="row:2", label="Nguyễn Văn Nan")
    MatchCandidate.objects.create(
        investigation=inv, left=a, right=b, probability=0.9, evidence={"name": "agree"}
    )
    merge = inv_services.entities_merge(
        actor=investigator, investigation=inv, entities=[a, c], reason="matrix"
    )
    from anninh.investigations.documents import document_create

    doc = document_create(
        actor=investigator,
        investigation=inv,
        kind="Quyết định",
        number="12/QĐ",
        issuing_body="UBND phường Hồng Bàng",
        seal_text="UBND PHƯỜNG HỒNG BÀNG",
        photo=b"\x89PNG\r\n\x1a\n",
        photo_type="image/png",
    )
    return {"investigation": inv.pk, "inv_entity": a.pk, "inv_merge": merge.pk, "inv_document": doc.pk}


def _alerts_and_field(officer, now):
    """An alert of commune A, the commune officer's subscription, and a field report of
    commune A with a photo (anninh.alerts, anninh.field)."""
    from anninh.alerts.models import Alert
    from anninh.alerts.services import subscription_create
    from anninh.field.models import FieldReport

    alert = Alert.objects.create(
        kind="rise",
        condition_key=f"rise:{COMMUNE_A}",
        commune_id=COMMUNE_A,
        title="Rise",
        evidence={"rises": [{"group": "", "current": 9, "baseline": 4, "expected": 1.0, "p_value": 0.001}]},
        raised_at=now,
    )
    subscription = subscription_create(actor=officer)
    lat, lon = point_in(COMMUNE_A)
    field_report = FieldReport.objects.create(
        commune_id=COMMUNE_A,
        at=now,
        received_at=now,
        lat=lat,
        lon=lon,
        text="Tụ tập gây rối",
        photo=b"\x89PNG\r\n",
        photo_type="image/png",
        created_by=officer,
    )
    return alert, subscription, field_report

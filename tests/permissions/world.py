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
from anninh.patrols.models import CheckpointSite
from anninh.public.tests.factories import publish_warning
from anninh.records.models import IncidentPerson, PersonMatch
from anninh.records.models.imports import ImportJob, ImportJobStatus
from anninh.records.services import incidents as incident_services
from anninh.records.services.cases import case_create
from anninh.records.services.reports import ReporterInput, crime_report_receive
from anninh.records.tests.test_incidents_factories import point_in, record, unit_id
from anninh.reports.models import Report
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
        "b_markers": [(incident_b.number, False), (report_b.register_number, False), ("Phạm Thị Bêbê", True)],
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
        "weekly": weekly.pk,
        "token": token.pk,
        "event": AuditEvent.objects.unrestricted().order_by("id").first().pk,
        "warning": warning.pk,
        "business": business.pk,
        "meeting": recommendation.meeting_id,
        "recommendation": recommendation.pk,
        "commune": COMMUNE_A,
        "unit": unit_id(f"CA{COMMUNE_A}"),
    }

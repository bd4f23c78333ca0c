"""Crime-report services: intake validation, every allowed and forbidden step of the workflow,
optimistic locking, permissions, the case a decision initiates, audit and timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent
from anninh.lib.dates import local_date
from anninh.org.models import Unit
from anninh.records.models import (
    Case,
    CaseStatusChange,
    CrimeReport,
    Person,
    RecordEvent,
    RegisterCounter,
    ReportClockEvent,
)
from anninh.records.services import reports as services
from anninh.records.services.reports import Action, PermissionRefused, ReporterInput
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    COMMUNE_A,
    COMMUNE_B,
    S,
    advance,
    fast_passwords,
    point_in,
    receive,
)
from anninh.records.versioning import ConflictError, RecordError


def _nothing_saved():
    assert CrimeReport.objects.count() == 0
    assert RegisterCounter.objects.filter(register="report", last__gt=0).count() == 0
    assert Person.objects.count() == 0


# Intake ---------------------------------------------------------------------------------------------


def test_a_received_report_gets_its_number_clock_audit_row_and_timeline_entry(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    assert report.register_number.startswith(f"CA{COMMUNE_A}-{local_date(report.received_at).year}-")
    assert report.status == S.RECEIVED and report.version == 1
    assert report.receiving_unit_id == report.handling_unit_id == officer.unit_id
    assert report.due_on is not None and report.due_on >= report.received_on + dt.timedelta(days=20)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type="records.crimereport", object_id=str(report.pk)
        ).count()
        == 1
    )
    assert list(
        RecordEvent.objects.filter(object_id=report.pk, object_type="records.crimereport").values_list(
            "kind", flat=True
        )
    ) == ["received"]


def test_a_receipt_time_in_the_future_is_refused_and_nothing_is_saved(personas):
    with pytest.raises(RecordError) as err:
        receive(
            personas["commune_officer"],
            received_at=timezone.now() + dt.timedelta(hours=1),
            reporter=ReporterInput(full_name="Nguyễn Văn An", cccd="031095012345"),
        )
    assert err.value.code == "received_at.future" and err.value.field == "received_at"
    _nothing_saved()


def test_a_receipt_time_before_2000_is_refused(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], received_at=dt.datetime(1999, 12, 31, tzinfo=dt.UTC))
    assert err.value.code == "received_at.too_old"


def test_a_point_outside_the_city_is_refused(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], lat=10.7769, lon=106.7009)  # Hồ Chí Minh City
    assert err.value.code == "point.outside"
    _nothing_saved()


def test_a_point_in_another_commune_than_the_one_typed_is_refused(personas):
    lat, lon = point_in(COMMUNE_B)
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], commune_code=COMMUNE_A, lat=lat, lon=lon)
    assert err.value.code == "commune.point_mismatch"


def test_the_commune_is_taken_from_the_point_when_none_is_typed(personas):
    lat, lon = point_in(COMMUNE_B)
    report = receive(personas["commune_officer"], commune_code="", lat=lat, lon=lon)
    assert report.commune_id == COMMUNE_B and (report.lat, report.lon) == (lat, lon)


def test_half_a_point_is_refused(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], lat=20.86, lon=None)
    assert err.value.code == "point.incomplete"


def test_an_unknown_commune_code_is_refused(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], commune_code="99999")
    assert err.value.code == "commune.unknown"


def test_an_unknown_article_is_refused_and_nothing_is_saved(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], offence_article="999")
    assert err.value.code == "offence.unknown" and err.value.field == "offence"
    _nothing_saved()


def test_an_article_not_yet_in_force_on_the_day_of_receipt_is_refused(personas):
    # 256a (illegal drug use) exists only from 1 July 2025.
    with pytest.raises(RecordError) as err:
        receive(
            personas["commune_officer"],
            offence_article="256a",
            received_at=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
        )
    assert err.value.code == "offence.not_in_force"


@pytest.mark.parametrize("text", ["Điều 173", "173", " 173 · Trộm cắp tài sản", "art. 173"])
def test_the_article_is_read_however_it_is_written(personas, text):
    assert receive(personas["commune_officer"], offence_article=text).suspected_offence.article == "173"


@pytest.mark.parametrize(
    ("reporter", "code"),
    [
        (ReporterInput(full_name="Trần Thị Bình", cccd="12345"), "cccd.length"),
        (ReporterInput(full_name="Trần Thị Bình", cccd="03109501234x"), "cccd.not_digits"),
        (ReporterInput(full_name="Trần Thị Bình", phones=("0212345678",)), "phone.prefix"),
        (ReporterInput(full_name="Trần Thị Bình", phones=("091234567",)), "phone.length"),
        (ReporterInput(full_name="  "), "person.name"),
        (ReporterInput(full_name="Trần Thị Bình", birth_date=dt.date(2999, 1, 1)), "person.birth_date"),
    ],
)
def test_an_invalid_reporter_identifier_is_refused_and_nothing_is_saved(personas, reporter, code):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], reporter=reporter)
    assert err.value.code == code
    _nothing_saved()


def test_a_summary_is_required(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], summary="  \x00 ")
    assert err.value.code == "summary.required"


def test_control_characters_are_removed_from_text(personas):
    report = receive(personas["commune_officer"], summary="Mất\x00 xe", address="Số 1\x07")
    assert report.summary == "Mất xe" and report.address == "Số 1"


def test_a_confidential_reporter_must_be_identified(personas):
    with pytest.raises(RecordError) as err:
        receive(personas["commune_officer"], reporter_confidential=True)
    assert err.value.code == "reporter.confidential_without_reporter"


def test_the_same_cccd_or_phone_on_two_reports_is_one_reporter(personas):
    officer = personas["commune_officer"]
    first = receive(officer, reporter=ReporterInput(full_name="Lê Văn Cường", cccd="031 095 012345"))
    second = receive(
        officer,
        reporter=ReporterInput(full_name="Lê Văn Cường", cccd="031095012345", phones=("+84 912 345 678",)),
    )
    third = receive(officer, reporter=ReporterInput(full_name="Le Van Cuong", phones=("0912345678",)))
    assert first.reporter_id == second.reporter_id == third.reporter_id
    assert Person.objects.count() == 1


@pytest.mark.parametrize("persona", ["commander", "analyst", "fire_rescue", "auditor", "no_role"])
def test_roles_that_do_not_handle_reports_cannot_receive_one_and_the_refusal_is_audited(personas, persona):
    user = personas[persona]
    with pytest.raises(PermissionRefused):
        receive(user)
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor_id=user.pk).exists()
    assert CrimeReport.objects.count() == 0


def test_a_commune_officer_cannot_receive_for_another_unit(personas):
    other = Unit.objects.get(code=f"CA{COMMUNE_B}")
    with pytest.raises(PermissionRefused) as err:
        receive(personas["commune_officer"], receiving_unit_id=other.pk)
    assert err.value.code == "permission.unit"


def test_an_investigator_receives_for_their_department(personas):
    report = receive(personas["investigator"], commune_code=COMMUNE_B)
    assert report.receiving_unit.code == "PC02" and report.register_number.startswith("PC02-")


# The workflow: every step from every status ------------------------------------------------------

RUNNING = {S.RECEIVED, S.CLASSIFIED, S.TRANSFERRED, S.VERIFYING}
# The legal workflow, written out independently of the service's own table.
EXPECTED_FROM = {
    Action.CLASSIFY: {S.RECEIVED},
    Action.TRANSFER: {S.CLASSIFIED, S.VERIFYING},
    Action.ACCEPT: {S.TRANSFERRED},
    Action.VERIFY: {S.CLASSIFIED},
    Action.EXTEND: RUNNING,
    Action.PROCURACY_EXTEND: RUNNING,
    Action.DECIDE: {S.VERIFYING},
    Action.SUSPEND: {S.VERIFYING},
    Action.RESUME: {S.SUSPENDED},
    Action.NOTIFY: set(S.values),
    Action.COLLECTOR: set(S.values),
}
EXPECTED_STATUS = {
    Action.CLASSIFY: S.CLASSIFIED,
    Action.TRANSFER: S.TRANSFERRED,
    Action.ACCEPT: S.CLASSIFIED,
    Action.VERIFY: S.VERIFYING,
    Action.DECIDE: S.INITIATED,
    Action.SUSPEND: S.SUSPENDED,
    Action.RESUME: S.VERIFYING,
}


def _at_status(personas, status, *, expired=False):
    """A report at `status`; `expired`: received 40 days ago, so its 20 days have run out and
    it may be suspended (Art. 148)."""
    officer = personas["commune_officer"]
    report = receive(officer, received_at=timezone.now() - dt.timedelta(days=40 if expired else 0, hours=1))
    if status == S.TRANSFERRED:
        report = advance(report, officer, S.CLASSIFIED)
        pc02 = Unit.objects.get(code="PC02")
        return services.crime_report_transfer(
            actor=officer, report=report, version=report.version, to_unit_id=pc02.pk
        )
    return advance(report, officer, status)


def _do(action, report, personas):
    officer, investigator = personas["commune_officer"], personas["investigator"]
    pc02 = Unit.objects.get(code="PC02")
    v = report.version
    if action is Action.CLASSIFY:
        return services.crime_report_classify(actor=officer, report=report, version=v)
    if action is Action.TRANSFER:
        return services.crime_report_transfer(actor=officer, report=report, version=v, to_unit_id=pc02.pk)
    if action is Action.ACCEPT:
        return services.crime_report_accept(actor=investigator, report=report, version=v)
    if action is Action.VERIFY:
        return services.crime_report_verify(actor=officer, report=report, version=v)
    if action is Action.EXTEND:
        return services.crime_report_extend(actor=officer, report=report, version=v)
    if action is Action.PROCURACY_EXTEND:
        if report.status in EXPECTED_FROM[action]:
            report = services.crime_report_extend(actor=officer, report=report, version=v)
        return services.crime_report_procuracy_extend(
            actor=officer, report=report, version=report.version, months=1
        )
    if action is Action.DECIDE:
        return services.crime_report_decide(
            actor=officer, report=report, version=v, decision="initiate", grounds="Có dấu hiệu tội phạm."
        )
    if action is Action.SUSPEND:
        return services.crime_report_suspend(
            actor=officer, report=report, version=v, grounds="Chưa xác định được người phạm tội."
        )
    if action is Action.RESUME:
        return services.crime_report_resume(actor=officer, report=report, version=v)
    if action is Action.NOTIFY:
        return services.crime_report_notify(actor=officer, report=report, version=v, target="procuracy")
    if action is Action.COLLECTOR:
        return services.crime_report_collector_set(
            actor=officer, report=report, version=v, collector_bank="VCB", collector_number="0123456789"
        )
    raise AssertionError(action)


ALL_STATUSES = [
    S.RECEIVED,
    S.CLASSIFIED,
    S.TRANSFERRED,
    S.VERIFYING,
    S.INITIATED,
    S.NOT_INITIATED,
    S.SUSPENDED,
]


@pytest.mark.parametrize("action", list(Action))
def test_each_step_is_allowed_exactly_from_its_statuses(personas, action):
    failures = []
    for status in ALL_STATUSES:
        report = _at_status(personas, status, expired=action is Action.SUSPEND or status == S.SUSPENDED)
        before_version = report.version
        allowed = status in EXPECTED_FROM[action]
        try:
            result = _do(action, report, personas)
        except RecordError as exc:
            if allowed:
                failures.append(f"{status}: refused ({exc.code}) but should be allowed")
            stored = CrimeReport.objects.get(pk=report.pk)
            if (stored.status, stored.version) != (status, before_version):
                failures.append(f"{status}: a refused step changed the report")
            continue
        if not allowed:
            failures.append(f"{status}: allowed but should be refused")
            continue
        want = EXPECTED_STATUS.get(action, status)
        if result.status != want:
            failures.append(f"{status}: became {result.status}, expected {want}")
        if result.version <= before_version:
            failures.append(f"{status}: version not bumped")
    assert not failures, "\n".join(failures)


def test_a_forbidden_step_names_the_current_status(personas, settings):
    settings.LANGUAGE_CODE = "en"
    report = receive(personas["commune_officer"])
    with pytest.raises(RecordError) as err:
        services.crime_report_verify(actor=personas["commune_officer"], report=report, version=report.version)
    assert err.value.code == "status.not_allowed" and "Received" in err.value.message


def test_a_stale_version_is_a_conflict_and_changes_nothing(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    services.crime_report_classify(actor=officer, report=report, version=1)
    with pytest.raises(ConflictError):
        services.crime_report_extend(actor=officer, report=report, version=1)
    stored = CrimeReport.objects.get(pk=report.pk)
    assert stored.version == 2 and not stored.extended
    assert not ReportClockEvent.objects.filter(report=report).exists()


def test_a_transfer_is_accepted_only_by_the_target_unit_which_then_handles_the_report(personas):
    officer, investigator = personas["commune_officer"], personas["investigator"]
    report = advance(receive(officer), officer, S.CLASSIFIED)
    pc02 = Unit.objects.get(code="PC02")
    report = services.crime_report_transfer(
        actor=officer, report=report, version=report.version, to_unit_id=pc02.pk
    )
    assert report.transfer_to_id == pc02.pk and report.handling_unit_id == officer.unit_id
    with pytest.raises(PermissionRefused):
        services.crime_report_accept(actor=officer, report=report, version=report.version)
    report = services.crime_report_accept(actor=investigator, report=report, version=report.version)
    assert (
        report.handling_unit_id == pc02.pk and report.transfer_to_id is None and report.status == S.CLASSIFIED
    )
    # The commune police no longer act on it.
    with pytest.raises(PermissionRefused):
        services.crime_report_verify(actor=officer, report=report, version=report.version)


def test_a_report_cannot_be_transferred_to_its_own_handling_unit(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.CLASSIFIED)
    with pytest.raises(RecordError) as err:
        services.crime_report_transfer(
            actor=officer, report=report, version=report.version, to_unit_id=officer.unit_id
        )
    assert err.value.code == "transfer.same_unit"


def test_a_commune_officer_of_another_unit_cannot_take_a_step_and_the_refusal_is_audited(personas):
    report = receive(personas["commune_officer"])
    other = personas["other_commune_officer"]
    with pytest.raises(PermissionRefused):
        services.crime_report_classify(actor=other, report=report, version=report.version)
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor_id=other.pk, object_id=str(report.pk)
    ).exists()


def test_initiating_a_case_creates_the_case_with_its_number_and_first_status(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.INITIATED)
    case = Case.objects.get(crime_report=report)
    year = timezone.localdate().year
    assert case.number == f"VA-CA{COMMUNE_A}-{year}-000001"
    assert case.handling_unit_id == officer.unit_id and case.status == "open" and case.incident_id is None
    assert case.initiated_on == report.decided_on == timezone.localdate()
    assert CaseStatusChange.objects.filter(case=case, to_status="open").count() == 1
    assert report.decided_within_deadline is True and report.due_on is None


def test_initiating_needs_an_offence(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer, offence_article=""), officer, S.VERIFYING)
    with pytest.raises(RecordError) as err:
        services.crime_report_decide(
            actor=officer, report=report, version=report.version, decision="initiate", grounds="x"
        )
    assert err.value.code == "decision.offence"
    report = services.crime_report_decide(
        actor=officer,
        report=report,
        version=report.version,
        decision="initiate",
        grounds="x",
        offence_article="174",
    )
    assert report.suspected_offence.article == "174" and report.status == S.INITIATED


def test_the_case_is_linked_to_the_reports_only_incident(personas):
    from anninh.records.models import Incident

    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    incident = Incident.objects.create(
        number="TEST-1",
        kind="crime",
        occurred_from=report.received_at,
        reported_at=report.received_at,
        commune_id=COMMUNE_A,
        responsible_unit_id=officer.unit_id,
        created_by=officer,
    )
    incident.crime_reports.add(report)
    services.crime_report_decide(
        actor=officer, report=report, version=report.version, decision="initiate", grounds="x"
    )
    assert Case.objects.get(crime_report=report).incident_id == incident.pk


def test_a_decision_needs_its_grounds(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    with pytest.raises(RecordError) as err:
        services.crime_report_decide(
            actor=officer, report=report, version=report.version, decision="not_initiate", grounds=" "
        )
    assert err.value.code == "grounds.required"


def test_an_unknown_decision_is_refused(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    with pytest.raises(RecordError) as err:
        services.crime_report_decide(
            actor=officer, report=report, version=report.version, decision="maybe", grounds="x"
        )
    assert err.value.code == "decision.invalid"


def test_a_decision_dated_before_receipt_or_in_the_future_is_refused(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    for on, code in (
        (report.received_on - dt.timedelta(days=1), "date.before_receipt"),
        (timezone.localdate() + dt.timedelta(days=1), "date.future"),
    ):
        with pytest.raises(RecordError) as err:
            services.crime_report_decide(
                actor=officer,
                report=report,
                version=report.version,
                decision="not_initiate",
                grounds="x",
                on=on,
            )
        assert err.value.code == code
    assert CrimeReport.objects.get(pk=report.pk).status == S.VERIFYING


def test_the_reporter_is_told_the_result_only_after_a_decision(personas):
    officer = personas["commune_officer"]
    report = receive(officer, reporter=ReporterInput(full_name="Phạm Thị Dung", phones=("0987654321",)))
    with pytest.raises(RecordError) as err:
        services.crime_report_notify(actor=officer, report=report, version=report.version, target="reporter")
    assert err.value.code == "notify.undecided"
    report = advance(report, officer, S.NOT_INITIATED)
    report = services.crime_report_notify(
        actor=officer, report=report, version=report.version, target="reporter"
    )
    report = services.crime_report_notify(
        actor=officer, report=report, version=report.version, target="procuracy"
    )
    assert report.reporter_notified_on == report.procuracy_notified_on == timezone.localdate()
    kinds = list(
        RecordEvent.objects.filter(object_id=report.pk, object_type="records.crimereport").values_list(
            "kind", flat=True
        )
    )
    assert kinds[-2:] == ["notified_reporter", "notified_procuracy"]


def test_an_anonymous_reporter_cannot_be_notified(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.NOT_INITIATED)
    with pytest.raises(RecordError) as err:
        services.crime_report_notify(actor=officer, report=report, version=report.version, target="reporter")
    assert err.value.code == "notify.no_reporter"


def test_every_step_writes_an_audit_row_and_a_timeline_entry_with_the_changes(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.NOT_INITIATED)
    updates = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="records.crimereport", object_id=str(report.pk)
    )
    assert [e.extra["step"] for e in updates.order_by("id")] == ["classify", "verify", "decide"]
    events = list(
        RecordEvent.objects.filter(object_type="records.crimereport", object_id=report.pk).order_by("id")
    )
    assert [e.kind for e in events] == ["received", "classified", "verifying", "decided"]
    assert [e.version for e in events] == [1, 2, 3, 4]
    assert events[-1].changes["status"] == ["verifying", "not_initiated"]
    assert events[-1].from_status == "verifying" and events[-1].to_status == "not_initiated"


def test_permission_is_checked_before_the_input(personas):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    calls = [
        lambda: services.crime_report_decide(
            actor=other, report=report, version=report.version, decision="maybe"
        ),
        lambda: services.crime_report_transfer(
            actor=other, report=report, version=report.version, to_unit_id=None
        ),
        lambda: services.crime_report_procuracy_extend(
            actor=other, report=report, version=report.version, months=9
        ),
        lambda: services.crime_report_notify(
            actor=other, report=report, version=report.version, target="press"
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionRefused):
            call()

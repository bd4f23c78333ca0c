"""Issue #11: the account a victim paid into can be added, corrected or removed after intake,
by the report's handling unit (service, page form and API), audited with its before and after,
and refused with a message next to its field, in Vietnamese first."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.models import CrimeReport, RecordEvent
from anninh.records.services import reports as services
from anninh.records.services.reports import PermissionRefused
from anninh.records.tests.test_reports_helpers import S, advance, fast_passwords, receive  # noqa: F401
from anninh.records.tests.test_reports_views import EN
from anninh.records.versioning import ConflictError, RecordError
from anninh.testing.matrix import check_matrix, client_for
from anninh.testing.personas import NAMES

JSON = "application/json"
VI = {"Accept-Language": "vi"}


def _set(actor, report, bank="Vietcombank", number="0123 456 789", **kwargs):
    return services.crime_report_collector_set(
        actor=actor,
        report=report,
        version=report.version,
        collector_bank=bank,
        collector_number=number,
        **kwargs,
    )


def _audit_rows(report):
    return AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="records.crimereport", object_id=str(report.pk)
    )


# The service ---------------------------------------------------------------------------------------


def test_the_handling_unit_adds_the_account_after_intake_normalised_and_dated(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    assert report.collector_account == "" and report.collector_account_named_at is None
    result = _set(officer, report)
    stored = CrimeReport.objects.unrestricted().get(pk=report.pk)
    assert stored.collector_account == "VCB:0123456789"
    assert stored.collector_account_named_at is not None
    assert result.version == report.version + 1


def test_the_change_writes_one_audit_row_with_the_account_before_and_after(personas):
    officer = personas["commune_officer"]
    report = receive(officer, collector_bank="VCB", collector_number="0123456789")
    _set(officer, report, bank="MoMo", number="0912 345 678")
    (row,) = _audit_rows(report)
    assert row.actor_id == officer.pk
    assert row.before["collector_account"] == "VCB:0123456789"
    assert row.after["collector_account"] == "MOMO:0912345678"
    assert row.extra["step"] == "collector"
    assert RecordEvent.objects.filter(object_id=report.pk, kind="collector").count() == 1


def test_both_fields_empty_remove_a_wrong_account(personas):
    officer = personas["commune_officer"]
    report = receive(officer, collector_bank="VCB", collector_number="0123456789")
    _set(officer, report, bank="", number="")
    assert CrimeReport.objects.unrestricted().get(pk=report.pk).collector_account == ""


@pytest.mark.parametrize("status", [S.CLASSIFIED, S.VERIFYING, S.NOT_INITIATED])
def test_the_account_stays_editable_at_every_stage(personas, status):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, status)
    _set(officer, report)
    assert CrimeReport.objects.unrestricted().get(pk=report.pk).collector_account == "VCB:0123456789"


def test_a_bad_account_is_refused_in_vietnamese_and_nothing_is_kept(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    with translation.override("vi"), pytest.raises(RecordError) as exc:
        _set(officer, report, bank="VCB", number="12")
    assert exc.value.code == "collector.bank_account.length"
    assert exc.value.field == "collector_number"
    assert str(exc.value.message) == "Số tài khoản có từ 6 đến 19 chữ số."
    stored = CrimeReport.objects.unrestricted().get(pk=report.pk)
    assert (stored.collector_account, stored.version) == ("", report.version)
    assert not _audit_rows(report).exists()


def test_the_same_account_again_is_refused_as_unchanged(personas):
    officer = personas["commune_officer"]
    report = receive(officer, collector_bank="VCB", collector_number="0123456789")
    with pytest.raises(RecordError) as exc:
        _set(officer, report, bank="Vietcombank", number="0123.456.789")
    assert exc.value.code == "collector.unchanged"


def test_a_stale_version_is_a_conflict(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    services.crime_report_classify(actor=officer, report=report, version=report.version)
    with pytest.raises(ConflictError):
        _set(officer, report)


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("analyst", "permission.role"),
        ("commander", "permission.role"),
        ("other_commune_officer", "permission.unit"),
    ],
)
def test_only_the_handling_unit_changes_the_account_and_refusals_are_audited(personas, persona, code):
    report = receive(personas["commune_officer"])
    with pytest.raises(PermissionRefused) as exc:
        _set(personas[persona], report)
    assert exc.value.code == code
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor_id=personas[persona].pk).exists()
    assert CrimeReport.objects.unrestricted().get(pk=report.pk).collector_account == ""


# The page ------------------------------------------------------------------------------------------


def _form(report, bank="VCB", number="0123456789"):
    return {
        "collector-version": report.version,
        "collector-collector_bank": bank,
        "collector-collector_number": number,
        "collector-note": "Bị hại bổ sung biên lai chuyển khoản.",
    }


def test_the_page_form_permission_matrix(personas):
    report = receive(personas["commune_officer"])
    check_matrix(
        f"/records/reports/{report.pk}/collector/",
        {
            **dict.fromkeys(NAMES, 403),
            "anonymous": 302,  # to the sign-in page
            "investigator": 404,  # another unit's report
            "other_commune_officer": 404,
            "commune_officer": 302,  # saved: back to the report
        },
        personas=personas,
        method="post",
        data=_form(report),
    )
    assert CrimeReport.objects.unrestricted().get(pk=report.pk).collector_account == "VCB:0123456789"


def test_the_page_offers_the_form_with_the_current_account_and_the_banks(personas):
    officer = personas["commune_officer"]
    report = receive(officer, collector_bank="VCB", collector_number="0123456789")
    page = client_for(officer).get(f"/records/reports/{report.pk}/", headers=EN).content.decode()
    assert 'name="collector-collector_bank"' in page and 'value="Vietcombank"' in page
    assert 'name="collector-collector_number"' in page and 'value="0123456789"' in page
    assert '<datalist id="collector-banks">' in page


def test_a_bad_account_on_the_page_is_shown_next_to_its_field_in_vietnamese(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    response = client_for(officer).post(
        f"/records/reports/{report.pk}/collector/", _form(report, number="12"), headers=VI
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_collector-collector_number"' in body and 'aria-invalid="true"' in body
    assert "Số tài khoản có từ 6 đến 19 chữ số." in body
    assert CrimeReport.objects.unrestricted().get(pk=report.pk).collector_account == ""


# The API -------------------------------------------------------------------------------------------


def test_the_api_sets_the_account_and_answers_the_report(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    response = client_for(officer).post(
        f"/api/records/reports/{report.pk}/collector",
        json.dumps(
            {"version": report.version, "collector_bank": "MoMo", "collector_number": "+84 912 345 678"}
        ),
        content_type=JSON,
    )
    assert response.status_code == 200, response.content
    assert response.json()["collector_account"]["key"] == "MOMO:0912345678"
    assert response.json()["version"] == report.version + 1


def test_the_api_refuses_a_bad_account_in_vietnamese_with_its_location(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    response = client_for(officer).post(
        f"/api/records/reports/{report.pk}/collector",
        json.dumps({"version": report.version, "collector_bank": "VCB", "collector_number": "0123abc789"}),
        content_type=JSON,
        headers=VI,
    )
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "collector_number"]
    assert problem["type"] == "collector.bank_account.not_digits"
    assert problem["msg"] == "Số tài khoản chỉ gồm chữ số."

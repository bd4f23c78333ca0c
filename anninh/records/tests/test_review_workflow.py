"""Review of incidents: draft → submitted → returned (with a comment) or approved by the
supervisor of the record's unit; approved records are amended only with a reason; every step
is a version in the timeline."""

from __future__ import annotations

import itertools

import pytest

from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.models import Incident, RecordEvent, ReviewStatus
from anninh.records.services.incidents import InvalidRecord
from anninh.records.services.review import REVIEW_MOVES, available_moves, incident_review, may_move
from anninh.records.tests.test_incidents_factories import fast_passwords, record, supervisor_a_fixture, update  # noqa: F401
from anninh.records.versioning import ConflictError, RecordError
from anninh.testing.personas import COMMUNE_B, make_user

pytestmark = pytest.mark.django_db
S = ReviewStatus

# The whole table: (status, action) → status after, for the unit's supervisor.
EXPECTED = {
    (S.DRAFT, "submit"): S.SUBMITTED,
    (S.RETURNED, "submit"): S.SUBMITTED,
    (S.SUBMITTED, "return"): S.RETURNED,
    (S.SUBMITTED, "approve"): S.APPROVED,
}


def test_the_review_table_has_exactly_the_expected_moves():
    actual = {
        (source, action): move.target for action, move in REVIEW_MOVES.items() for source in move.sources
    }
    assert actual == EXPECTED


@pytest.mark.parametrize(("status", "action"), list(itertools.product(S.values, REVIEW_MOVES)))
def test_every_status_and_action_pair_follows_the_table(personas, supervisor_a, status, action):
    incident = record(personas["commune_officer"])
    Incident.objects.filter(pk=incident.pk).update(review_status=status)
    incident.refresh_from_db()
    comment = "Bổ sung lời khai" if action == "return" else ""
    if (status, action) in EXPECTED:
        incident_review(
            actor=supervisor_a, incident=incident, action=action, comment=comment, version=incident.version
        )
        assert Incident.objects.get(pk=incident.pk).review_status == EXPECTED[(status, action)]
    else:
        with pytest.raises(RecordError) as exc:
            incident_review(
                actor=supervisor_a,
                incident=incident,
                action=action,
                comment=comment,
                version=incident.version,
            )
        assert exc.value.code == "review.transition"
        assert Incident.objects.get(pk=incident.pk).review_status == status


def test_an_officer_submits_and_the_supervisor_approves(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    incident = incident_review(
        actor=supervisor_a, incident=incident, action="approve", version=incident.version
    )
    assert incident.review_status == S.APPROVED
    assert incident.reviewed_by == supervisor_a
    kinds = list(
        RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk).values_list(
            "kind", flat=True
        )
    )
    assert kinds == ["created", "submitted", "approved"]
    versions = list(
        RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk).values_list(
            "version", flat=True
        )
    )
    assert versions == [1, 2, 3]


def test_an_officer_who_is_not_a_supervisor_cannot_approve(personas):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    with pytest.raises(RecordError) as exc:
        incident_review(actor=officer, incident=incident, action="approve", version=incident.version)
    assert exc.value.code == "permission.review"


def test_the_supervisor_of_another_unit_cannot_approve(personas):
    other_supervisor = make_user(
        "sup_b", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_B}", is_supervisor=True
    )
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    with pytest.raises(RecordError) as exc:
        incident_review(actor=other_supervisor, incident=incident, action="approve", version=incident.version)
    assert exc.value.code == "permission.review"


def test_a_supervisor_of_the_unit_above_may_approve(personas):
    # Commune police units report to the City Police: its supervisors review them too.
    city_supervisor = make_user("sup_city", Role.INVESTIGATOR, unit_code="CAHP", is_supervisor=True)
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    incident = incident_review(
        actor=city_supervisor, incident=incident, action="approve", version=incident.version
    )
    assert incident.review_status == S.APPROVED


def test_returning_needs_a_comment_which_the_record_keeps(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    with pytest.raises(InvalidRecord) as exc:
        incident_review(
            actor=supervisor_a, incident=incident, action="return", comment="  ", version=incident.version
        )
    assert exc.value.code == "review.comment_required"
    incident = incident_review(
        actor=supervisor_a,
        incident=incident,
        action="return",
        comment="Thiếu lời khai nhân chứng",
        version=incident.version,
    )
    assert incident.review_status == S.RETURNED
    assert incident.review_comment == "Thiếu lời khai nhân chứng"
    event = RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk).last()
    assert (event.kind, event.from_status, event.to_status, event.comment) == (
        "returned",
        S.SUBMITTED,
        S.RETURNED,
        "Thiếu lời khai nhân chứng",
    )


def test_a_submitted_incident_is_changed_only_by_its_reviewer(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    with pytest.raises(RecordError) as exc:
        update(officer, incident, address="Sửa khi đang chờ duyệt")
    assert exc.value.code == "review.locked"
    incident = update(supervisor_a, incident, address="Người duyệt sửa")
    assert incident.address == "Người duyệt sửa"


def test_an_approved_incident_is_amended_only_with_a_reason_kept_in_the_timeline(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    incident = incident_review(
        actor=supervisor_a, incident=incident, action="approve", version=incident.version
    )
    with pytest.raises(InvalidRecord) as exc:
        update(officer, incident, address="Địa chỉ mới")
    assert exc.value.code == "review.reason_required"
    assert Incident.objects.get(pk=incident.pk).address == "12 Hoàng Văn Thụ"
    incident = update(officer, incident, address="Địa chỉ mới", reason="Bị hại khai lại địa chỉ")
    event = RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk).last()
    assert (event.kind, event.comment) == ("amended", "Bị hại khai lại địa chỉ")
    assert event.changes["address"] == ["12 Hoàng Văn Thụ", "Địa chỉ mới"]
    assert incident.review_status == S.APPROVED
    audit = AuditEvent.objects.filter(
        action=AuditAction.UPDATE, object_type="records.incident", object_id=str(incident.pk)
    ).first()
    assert audit.extra["reason"] == "Bị hại khai lại địa chỉ"


def test_every_version_is_kept_with_its_snapshot(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = update(officer, incident, address="A")
    incident = update(officer, incident, address="B")
    snapshots = [
        e.snapshot["address"]
        for e in RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk)
    ]
    assert snapshots == ["12 Hoàng Văn Thụ", "A", "B"]


def test_a_stale_review_is_refused(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident_review(actor=officer, incident=Incident.objects.get(pk=incident.pk), action="submit", version=1)
    with pytest.raises(ConflictError):
        incident_review(
            actor=supervisor_a, incident=Incident.objects.get(pk=incident.pk), action="approve", version=1
        )


def test_the_page_offers_only_the_moves_the_user_may_make(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    unit = incident.responsible_unit_id
    assert [m.action for m in available_moves(officer, status=S.DRAFT, unit_id=unit)] == ["submit"]
    assert [m.action for m in available_moves(officer, status=S.SUBMITTED, unit_id=unit)] == []
    assert [m.action for m in available_moves(supervisor_a, status=S.SUBMITTED, unit_id=unit)] == [
        "return",
        "approve",
    ]
    assert not may_move(personas["commander"], status=S.SUBMITTED, unit_id=unit, action="approve")

"""Resolution, the review queue, merges and their undoing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anninh.audit.models import AuditAction, AuditEvent
from anninh.investigations import services
from anninh.investigations.models import CandidateStatus, Entity, EntityMerge, MatchCandidate
from anninh.investigations.resolution import resolution_run
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


def _person(inv, key, name, **data):
    return Entity.objects.create(investigation=inv, kind="person", key=key, label=name, data=data)


def test_two_people_sharing_a_phone_are_never_merged(personas, investigation):
    inv = investigation
    husband = _person(
        inv, "a", "Nguyễn Văn An", phone="+84912345678", birth_date="1990-01-01", address="Số 5 Lạch Tray"
    )
    wife = _person(
        inv, "b", "Trần Thị Bình", phone="+84912345678", birth_date="1991-02-02", address="Số 5 Lạch Tray"
    )
    same = _person(
        inv, "c", "Nguyen Van An", phone="+84912345678", birth_date="1990-01-01", address="So 5 Lach Tray"
    )
    resolution_run(actor=personas["investigator"], investigation=inv)
    husband.refresh_from_db()
    wife.refresh_from_db()
    same.refresh_from_db()
    assert wife.merged_into_id is None and husband.merged_into_id != wife.pk
    assert not MatchCandidate.objects.unrestricted().filter(left__in=[husband, same], right=wife).exists()
    # The same man written without diacritics is merged or queued for review, never ignored.
    queued = MatchCandidate.objects.unrestricted().filter(left=husband, right=same).exists()
    assert queued or same.merged_into_id == husband.pk or husband.merged_into_id == same.pk


def test_confirming_a_pair_merges_it_and_undo_restores_both(personas, investigation):
    inv = investigation
    a = _person(inv, "a", "Nguyễn Văn An")
    b = _person(inv, "b", "Nguyen Van An")
    candidate = MatchCandidate.objects.create(investigation=inv, left=a, right=b, probability=0.8)
    client = client_for(personas["investigator"])
    url = reverse("investigations:review", args=[inv.pk])
    response = client.post(url, {"candidate": candidate.pk, "decision": "confirm"})
    assert response.status_code == 302
    b.refresh_from_db()
    assert b.merged_into_id == a.pk
    merge = EntityMerge.objects.unrestricted().get()
    # The merged entity answers as its survivor on the survivor's page.
    page = client.get(reverse("investigations:entity", args=[inv.pk, a.pk])).content.decode()
    assert "Nguyen Van An" in page
    response = client.post(reverse("investigations:merge_undo", args=[inv.pk, merge.pk]))
    assert response.status_code == 302
    b.refresh_from_db()
    merge.refresh_from_db()
    candidate.refresh_from_db()
    assert b.merged_into_id is None and merge.undone_at is not None
    assert candidate.status == CandidateStatus.PENDING
    kinds = [
        e.extra for e in AuditEvent.objects.unrestricted().filter(action=AuditAction.UPDATE).order_by("id")
    ]
    assert any("merge" in e for e in kinds) and any("merge_undone" in e for e in kinds)


def test_rejecting_a_pair_keeps_both_apart(personas, investigation):
    inv = investigation
    a, b = _person(inv, "a", "Lê Văn Cường"), _person(inv, "b", "Le Van Cuong")
    candidate = MatchCandidate.objects.create(investigation=inv, left=a, right=b, probability=0.6)
    services.candidate_decide(actor=personas["investigator"], candidate=candidate, confirm=False)
    b.refresh_from_db()
    assert b.merged_into_id is None and not EntityMerge.objects.unrestricted().exists()


def test_a_merge_undone_twice_is_refused(personas, investigation):
    from django.core.exceptions import ValidationError

    inv = investigation
    a, b = _person(inv, "a", "A"), _person(inv, "b", "B")
    merge = services.entities_merge(actor=personas["investigator"], investigation=inv, entities=[a, b])
    services.merge_undo(actor=personas["investigator"], merge=merge)
    with pytest.raises(ValidationError):
        services.merge_undo(actor=personas["investigator"], merge=merge)

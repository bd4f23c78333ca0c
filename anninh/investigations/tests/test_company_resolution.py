"""Companies without a shared tax code are matched on name, legal representative and address
(the library's Splink company model) and go to the review queue with the evidence; a company
that only shares an address is a lead, never a candidate."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anninh.investigations.ingest import material_import
from anninh.investigations.models import Entity, MatchCandidate
from anninh.investigations.resolution import resolution_run
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

HEADER = "Tên doanh nghiệp,Mã số thuế,Người đại diện,CCCD người đại diện,Địa chỉ\n"


def test_near_duplicate_companies_go_to_the_review_queue_with_evidence(personas, investigation, write_csv):
    me = personas["investigator"]
    registry = write_csv(
        "dkkd.csv",
        HEADER + "Công ty TNHH Đầu tư Tài chính Hưng Thịnh,0201234505,Nguyễn Văn Hùng,,"
        '"Số 12 Lạch Tray, Ngô Quyền, Hải Phòng"\n'
        + "Công ty CP Thương mại Bình Minh,0209876504,Trần Thị Mai,,"
        '"Số 12 Lạch Tray, Ngô Quyền, Hải Phòng"\n',
    )
    # The same company in a bank's KYC extract: no tax code, no diacritics, capitals.
    kyc = write_csv(
        "kyc-doanh-nghiep.csv",
        "Tên doanh nghiệp,Người đại diện,Địa chỉ\n"
        'CONG TY TNHH DAU TU TAI CHINH HUNG THINH,Nguyen Van Hung,"So 12 Lach Tray, Ngo Quyen, Hai Phong"\n',
    )
    for path in (registry, kyc):
        result = material_import(
            actor=me, investigation=investigation, kind="companies", path=path, dry_run=False
        )
        assert result.ok, [p.as_dict() for p in result.problems]
    companies = {
        e.label: e for e in Entity.objects.unrestricted().filter(investigation=investigation, kind="company")
    }
    assert len(companies) == 3
    hung_thinh = companies["Công ty TNHH Đầu tư Tài chính Hưng Thịnh"]
    copy = companies["CONG TY TNHH DAU TU TAI CHINH HUNG THINH"]
    binh_minh = companies["Công ty CP Thương mại Bình Minh"]

    counts = resolution_run(actor=me, investigation=investigation)
    assert counts["companies_queued"] == 1
    candidates = list(MatchCandidate.objects.unrestricted().filter(investigation=investigation))
    assert len(candidates) == 1
    found = candidates[0]
    assert {found.left_id, found.right_id} == {hung_thinh.pk, copy.pk}
    assert found.status == "pending" and found.probability >= 0.5
    assert "same name" in found.evidence["evidence"] and "same address" in found.evidence["evidence"]
    # Nothing merged without an investigator; the company that only shares the address is not a candidate.
    assert (
        not Entity.objects.unrestricted()
        .filter(investigation=investigation, merged_into__isnull=False)
        .exists()
    )
    assert not MatchCandidate.objects.unrestricted().filter(left=binh_minh).exists()
    assert not MatchCandidate.objects.unrestricted().filter(right=binh_minh).exists()

    # The investigator sees it in the queue and confirms it: the two become one company.
    client = client_for(me)
    page = client.get(reverse("investigations:review", args=[investigation.pk]))
    assert "0201234505" in page.content.decode()
    client.post(
        reverse("investigations:review", args=[investigation.pk]),
        {"candidate": found.pk, "decision": "confirm"},
    )
    copy.refresh_from_db()
    hung_thinh.refresh_from_db()
    assert copy.merged_into_id == hung_thinh.pk or hung_thinh.merged_into_id == copy.pk
    # Run again: the decided pair is not queued twice.
    assert resolution_run(actor=me, investigation=investigation)["companies_queued"] == 0

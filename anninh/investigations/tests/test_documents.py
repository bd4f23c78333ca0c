"""Documents as evidence and the seal register: import with bad rows, the check recorded
(matches, forged, no specimen), forged documents linked to what they served."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anninh.audit.models import AuditAction, AuditEvent
from anninh.investigations import documents
from anninh.investigations.models import Entity, SealCheck, SealSpecimen
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

REGISTER = """Mã cơ quan,Cơ quan,Nội dung con dấu,Hiệu lực từ,Hiệu lực đến
UBND-11311,UBND phường Hồng Bàng,ỦY BAN NHÂN DÂN PHƯỜNG HỒNG BÀNG,01/07/2025,
STP-HP,Sở Tư pháp Hải Phòng,SỞ TƯ PHÁP THÀNH PHỐ HẢI PHÒNG,01/01/2010,30/06/2025
"""


def test_the_register_imports_once_and_reports_bad_rows(personas, write_csv):
    actor = personas["investigator"]
    path = write_csv("mau-dau.csv", REGISTER)
    assert documents.seal_register_import(actor=actor, path=path)["new"] == 2
    assert not SealSpecimen.objects.exists()  # a dry run
    assert documents.seal_register_import(actor=actor, path=path, dry_run=False)["new"] == 2
    assert documents.seal_register_import(actor=actor, path=path, dry_run=False)["new"] == 0
    bad = write_csv("bad.csv", REGISTER + ",Không mã,X,32/13/2020,\n")
    result = documents.seal_register_import(actor=actor, path=bad, dry_run=False)
    assert {(p.row, p.code) for p in result["problems"]} == {(4, "required"), (4, "date")}
    assert SealSpecimen.objects.count() == 2


def _doc(personas, inv, **fields):
    base = {"kind": "Quyết định", "number": "01/QĐ", "issuing_body": "UBND phường Hồng Bàng",
            "issuing_body_code": "UBND-11311", "issued_on": dt.date(2025, 9, 1)}  # fmt: skip
    return documents.document_create(actor=personas["investigator"], investigation=inv, **{**base, **fields})


def test_a_document_is_checked_against_the_specimen_valid_on_its_date(personas, investigation, write_csv):
    documents.seal_register_import(
        actor=personas["investigator"], path=write_csv("m.csv", REGISTER), dry_run=False
    )
    who = personas["investigator"]
    genuine = _doc(personas, investigation, seal_text="Ủy ban nhân dân phường Hồng Bàng")
    forged = _doc(personas, investigation, seal_text="UBND QUẬN HỒNG BÀNG")
    expired = _doc(personas, investigation, issuing_body="Sở Tư pháp Hải Phòng", issuing_body_code="STP-HP",
                   seal_text="SỞ TƯ PHÁP THÀNH PHỐ HẢI PHÒNG")  # fmt: skip
    assert documents.document_check(actor=who, document=genuine).check_result == SealCheck.MATCHES
    assert documents.document_check(actor=who, document=forged).check_result == SealCheck.FORGED
    assert documents.document_check(actor=who, document=expired).check_result == SealCheck.NO_SPECIMEN
    assert forged.checked_by == who and forged.checked_at is not None
    assert (
        AuditEvent.objects.unrestricted().filter(action=AuditAction.UPDATE, object_id=str(forged.pk)).exists()
    )


def test_a_forged_document_is_linked_to_the_people_and_payments_it_served(personas, investigation):
    doc = _doc(personas, investigation, seal_text="GIẢ")
    person = Entity.objects.create(investigation=investigation, kind="person", key="x", label="Lê Văn Giả")
    client = client_for(personas["investigator"])
    url = reverse("investigations:document", args=[investigation.pk, doc.pk])
    assert client.post(url, {"action": "link", "entities": str(person.pk)}).status_code == 302
    assert list(doc.entities.unrestricted()) == [person]
    entity_page = client.get(
        reverse("investigations:entity", args=[investigation.pk, person.pk])
    ).content.decode()
    assert "01/QĐ" in entity_page

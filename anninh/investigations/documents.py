"""Documents as evidence and the register of seal specimens.

A document (a decision, a contract, a certificate...) is recorded with its kind, number,
issuing body and date, its seal and signature described (and photographed), and checked
against the register of seal specimens the police keep for public bodies: the specimen of the
issuing body valid on the document's date, compared on the seal's text. The result is
recorded with who checked and when; forged documents are linked to the people, companies and
payments they served.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.investigations.access import require_team
from anninh.investigations.ingest import CellError, Problem, parse_time
from anninh.investigations.models import Document, Entity, Investigation, Link, SealCheck, SealSpecimen
from anninh.lib.text import fold
from anninh.records.services.io_formats import FileProblem, open_sheet

SEAL_HEADERS = {
    "body_code": ("ma co quan", "body code", "ma don vi", "code"),
    "body_name": ("co quan", "ten co quan", "co quan ban hanh", "issuing body", "body"),
    "seal_text": ("noi dung con dau", "chu tren dau", "seal text"),
    "description": ("mo ta", "mo ta mau dau", "description"),
    "valid_from": ("hieu luc tu", "tu ngay", "valid from"),
    "valid_to": ("hieu luc den", "den ngay", "valid to"),
}
#: Photos kept in the database with the document (like reports' PDFs): at most this size.
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    return parse_time(value).date()


@transaction.atomic
def seal_register_import(*, actor, path: Path, file_name: str = "", dry_run: bool = True) -> dict:
    """Import seal specimens from a CSV/XLSX file: every bad row reported, all or nothing,
    a specimen already in the register (body, seal text, valid from) is not added twice."""
    file_name = file_name or Path(path).name
    try:
        sheet = open_sheet(Path(path), file_name)
    except FileProblem as exc:
        p = exc.problem
        return {"rows": 0, "new": 0, "problems": [Problem(p.row, p.column, p.value, p.code, p.message)]}
    try:
        columns = {}
        for i, h in enumerate(sheet.header):
            key = " ".join(fold(h).split())
            for field, names in SEAL_HEADERS.items():
                if key in names and field not in columns:
                    columns[field] = i
        problems: list[Problem] = []
        for need in ("body_code", "body_name"):
            if need not in columns:
                problems.append(
                    Problem(1, need, "", "column.missing", _("No column for %(field)s.") % {"field": need})
                )
        rows, specimens = 0, []
        for number, cells in sheet.rows if not problems else ():
            rows += 1

            def cell(f, cells=cells):
                i = columns.get(f)
                return "" if i is None or i >= len(cells) or cells[i] is None else str(cells[i]).strip()

            values = {f: cell(f) for f in SEAL_HEADERS}
            for need in ("body_code", "body_name"):
                if not values[need]:
                    problems.append(Problem(number, need, "", "required", _("This cell is required.")))
            dates = {}
            for f in ("valid_from", "valid_to"):
                try:
                    dates[f] = _date(values[f])
                except CellError:
                    problems.append(Problem(number, f, values[f], "date", _("Not a date: write dd/mm/yyyy.")))
            if not problems:
                specimens.append(
                    SealSpecimen(
                        body_code=values["body_code"][:40],
                        body_name=values["body_name"][:300],
                        seal_text=values["seal_text"][:300],
                        description=values["description"],
                        valid_from=dates.get("valid_from"),
                        valid_to=dates.get("valid_to"),
                        source_file=file_name[:255],
                        source_row=number,
                        imported_by=actor,
                    )
                )
    finally:
        sheet.close()
    if problems or dry_run:
        return {"rows": rows, "new": len(specimens), "problems": problems}
    before = SealSpecimen.objects.count()
    SealSpecimen.objects.bulk_create(specimens, ignore_conflicts=True)
    new = SealSpecimen.objects.count() - before
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="investigations.sealspecimen",
        object_repr=file_name,
        extra={"rows": rows, "new": new},
    )
    return {"rows": rows, "new": new, "problems": []}


@transaction.atomic
def document_create(
    *, actor, investigation: Investigation, photo: bytes | None = None, photo_type: str = "", **fields
) -> Document:
    if actor is not None:
        require_team(actor, investigation)
    if photo is not None:
        if len(photo) > MAX_PHOTO_BYTES:
            raise ValidationError(_("The photo is larger than 5 MB."))
        if photo_type not in PHOTO_TYPES:
            raise ValidationError(_("The photo is a JPEG, PNG or WebP image."))
    doc = Document(
        investigation=investigation, created_by=actor, photo=photo, photo_type=photo_type, **fields
    )
    doc.full_clean(exclude=["photo", "entities", "links", "specimen", "checked_by", "created_by"])
    doc.save()
    audit_record(actor=actor, action=AuditAction.CREATE, target=doc, after=snapshot(doc, exclude=("photo",)))
    return doc


def seal_check_result(document: Document) -> tuple[str, SealSpecimen | None]:
    """Compare the document's seal with the register: the issuing body's specimens valid on
    the document's date; the seal's text must match one of them (folded: case and accents)."""
    q = Q(body_code__iexact=document.issuing_body_code) if document.issuing_body_code else Q(pk__in=[])
    specimens = [
        s
        for s in SealSpecimen.objects.filter(q | Q(body_name__iexact=document.issuing_body))
        if document.issued_on is None
        or (
            (s.valid_from is None or s.valid_from <= document.issued_on)
            and (s.valid_to is None or document.issued_on <= s.valid_to)
        )
    ]
    if not specimens:
        return SealCheck.NO_SPECIMEN, None
    for s in specimens:
        if fold(s.seal_text) == fold(document.seal_text):
            return SealCheck.MATCHES, s
    return SealCheck.FORGED, specimens[0]


@transaction.atomic
def document_check(*, actor, document: Document, note: str = "") -> Document:
    """Check the document against the register and record the result (team only)."""
    if actor is not None:
        require_team(actor, document.investigation)
    before = snapshot(document, exclude=("photo",))
    document.check_result, document.specimen = seal_check_result(document)
    document.check_note = note
    document.checked_by = actor
    document.checked_at = timezone.now()
    document.save(update_fields=["check_result", "specimen", "check_note", "checked_by", "checked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=document,
        before=before,
        after=snapshot(document, exclude=("photo",)),
    )
    return document


@transaction.atomic
def document_link(*, actor, document: Document, entity_ids=(), link_ids=()) -> Document:
    """Link a document to the people, companies (entities) and payments (links) it served."""
    if actor is not None:
        require_team(actor, document.investigation)
    inv = document.investigation
    entities = list(Entity.objects.unrestricted().filter(investigation=inv, pk__in=list(entity_ids)))
    links = list(Link.objects.unrestricted().filter(investigation=inv, pk__in=list(link_ids)))
    if len(entities) != len(set(entity_ids)) or len(links) != len(set(link_ids)):
        raise ValidationError(_("These records belong to another investigation."))
    document.entities.add(*entities)
    document.links.add(*links)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=document,
        extra={"entities": [e.pk for e in entities], "links": [lk.pk for lk in links]},
    )
    return document

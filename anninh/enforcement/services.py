"""Writes of arrests and wanted notices: each checks the actor may act for the unit and see
the person (and case), validates, writes and audits in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.enforcement.models import Arrest, ArrestBasis, WantedPerson, WantedStatus
from anninh.geo.models import Commune
from anninh.org.models import Unit
from anninh.records.models import Case, Offence, Person
from anninh.records.permissions import acting_unit_ids
from anninh.records.services.articles import normalise_article
from anninh.records.services.incidents import InvalidRecord
from anninh.records.services.persons import clean_text
from anninh.records.versioning import RecordError

__all__ = ["InvalidRecord", "RecordError", "arrest_create", "wanted_create"]

EARLIEST = dt.date(2000, 1, 1)


def _check_unit(actor, unit_id: int | None) -> Unit:
    if not getattr(actor, "is_authenticated", False) or not acting_unit_ids(actor):
        raise RecordError("permission.role", _("You cannot record arrests or wanted persons."))
    if unit_id is None or unit_id not in acting_unit_ids(actor):
        raise RecordError("permission.unit", _("You cannot act for this unit."), field="unit")
    return Unit.objects.get(pk=unit_id)


def _person(actor, person_id: int | None) -> Person:
    person = Person.objects.restrict(actor).filter(pk=person_id).first() if person_id else None
    if person is None:
        raise RecordError("person.not_found", _("Choose a person from the person index."), field="person")
    return person


def _commune(code: str, *, required: bool) -> Commune | None:
    code = clean_text(code or "").strip()
    if not code:
        if required:
            raise RecordError("commune.required", _("Choose the commune."), field="commune")
        return None
    commune = Commune.objects.filter(code=code).first()
    if commune is None:
        raise RecordError("commune.unknown", _("Unknown commune."), field="commune")
    return commune


@transaction.atomic
def arrest_create(
    *,
    actor,
    person_id: int,
    arrested_at: dt.datetime,
    commune_code: str,
    unit_id: int,
    basis: str,
    place: str = "",
    case_id: int | None = None,
    wanted_id: int | None = None,
    note: str = "",
    is_synthetic: bool = False,
) -> Arrest:
    """Record an arrest. An arrest on a wanted notice (basis "wanted") closes the notice as
    caught, on the arrest's day, by the arresting unit."""
    unit = _check_unit(actor, unit_id)
    errors: list[RecordError] = []
    person = commune = case = wanted = None
    try:
        person = _person(actor, person_id)
    except RecordError as exc:
        errors.append(exc)
    try:
        commune = _commune(commune_code, required=True)
    except RecordError as exc:
        errors.append(exc)
    if basis not in ArrestBasis.values:
        errors.append(RecordError("arrest.basis", _("Choose the legal basis."), field="basis"))
    now = timezone.now()
    if arrested_at is None or timezone.is_naive(arrested_at):
        errors.append(RecordError("arrest.time", _("Enter the time of the arrest."), field="arrested_at"))
    elif arrested_at > now + dt.timedelta(minutes=5) or arrested_at.date() < EARLIEST:
        errors.append(
            RecordError(
                "arrest.time", _("The time of the arrest cannot be in the future."), field="arrested_at"
            )
        )
    if case_id:
        case = Case.objects.restrict(actor).filter(pk=case_id).first()
        if case is None:
            errors.append(RecordError("arrest.case", _("The case was not found."), field="case"))
    if wanted_id:
        wanted = WantedPerson.objects.restrict(actor).select_for_update().filter(pk=wanted_id).first()
        if wanted is None:
            errors.append(RecordError("arrest.wanted", _("The wanted notice was not found."), field="wanted"))
        elif wanted.status != WantedStatus.WANTED:
            errors.append(
                RecordError("arrest.wanted_closed", _("This person is no longer wanted."), field="wanted")
            )
        elif person is not None and wanted.person_id != person.pk:
            errors.append(
                RecordError(
                    "arrest.wanted_person", _("The wanted notice is for another person."), field="wanted"
                )
            )
    if basis == ArrestBasis.WANTED and not wanted_id:
        errors.append(
            RecordError(
                "arrest.wanted_required", _("Choose the wanted notice of the person."), field="wanted"
            )
        )
    if errors:
        raise InvalidRecord(errors)
    arrest = Arrest.objects.create(
        person=person,
        arrested_at=arrested_at,
        commune=commune,
        place=clean_text(place)[:300],
        unit=unit,
        basis=basis,
        case=case,
        wanted=wanted,
        note=clean_text(note)[:500],
        created_by=actor,
        is_synthetic=is_synthetic,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=arrest,
        after={
            "person": person.pk,
            "arrested_at": arrested_at.isoformat(),
            "commune": commune.code,
            "unit": unit.pk,
            "basis": basis,
            "case": case.pk if case else None,
            "wanted": wanted.pk if wanted else None,
        },
    )
    if wanted is not None:
        before = {"status": wanted.status}
        wanted.status = WantedStatus.CAUGHT
        wanted.caught_on = timezone.localtime(arrested_at).date()
        wanted.caught_by = unit
        wanted.save(update_fields=["status", "caught_on", "caught_by"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=wanted,
            before=before,
            after={"status": wanted.status, "caught_on": wanted.caught_on.isoformat(), "caught_by": unit.pk},
        )
    return arrest


@transaction.atomic
def wanted_create(
    *,
    actor,
    person_id: int,
    warrant_number: str,
    issuing_body: str,
    issued_on: dt.date,
    unit_id: int,
    offence_article: str = "",
    commune_code: str = "",
    is_synthetic: bool = False,
) -> WantedPerson:
    """Record a wanted notice for a person of the index."""
    unit = _check_unit(actor, unit_id)
    errors: list[RecordError] = []
    person = commune = offence = None
    try:
        person = _person(actor, person_id)
    except RecordError as exc:
        errors.append(exc)
    try:
        commune = _commune(commune_code, required=False)
    except RecordError as exc:
        errors.append(exc)
    warrant_number = clean_text(warrant_number or "").strip()[:60]
    issuing_body = clean_text(issuing_body or "").strip()[:200]
    if not warrant_number:
        errors.append(RecordError("wanted.warrant", _("Enter the warrant number."), field="warrant_number"))
    if not issuing_body:
        errors.append(RecordError("wanted.issuer", _("Enter the body that issued it."), field="issuing_body"))
    if issued_on is None or issued_on > timezone.localdate() or issued_on < EARLIEST:
        errors.append(
            RecordError(
                "wanted.issued_on", _("Enter the date of issue (not in the future)."), field="issued_on"
            )
        )
    if offence_article:
        article = normalise_article(offence_article)
        offence = Offence.objects.filter(article=article).order_by("-valid_from").first()
        if offence is None:
            errors.append(
                RecordError("wanted.offence", _("Unknown article of the Penal Code."), field="offence")
            )
    if (
        warrant_number
        and issuing_body
        and WantedPerson.objects.unrestricted()
        .filter(warrant_number=warrant_number, issuing_body=issuing_body)
        .exists()
    ):
        errors.append(
            RecordError("wanted.duplicate", _("This warrant is already recorded."), field="warrant_number")
        )
    if errors:
        raise InvalidRecord(errors)
    wanted = WantedPerson.objects.create(
        person=person,
        warrant_number=warrant_number,
        issuing_body=issuing_body,
        issued_on=issued_on,
        offence=offence,
        commune=commune,
        unit=unit,
        created_by=actor,
        is_synthetic=is_synthetic,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=wanted,
        after={
            "person": person.pk,
            "warrant_number": warrant_number,
            "issuing_body": issuing_body,
            "issued_on": issued_on.isoformat(),
            "offence": offence.article if offence else "",
            "commune": commune.code if commune else "",
            "unit": unit.pk,
        },
    )
    return wanted


def record_viewed(*, actor, obj: Arrest | WantedPerson) -> None:
    """A read of an arrest or wanted notice names a person: audited."""
    audit_record(actor=actor, action=AuditAction.VIEW, target=obj)

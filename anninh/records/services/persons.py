"""The person index: one person record per real person.

`person_resolve` finds the person by normalised CCCD or phone before creating anyone, so the
same identity card or phone number never makes two people. When identifiers point at two
different existing people, it refuses (a human must merge them) rather than guess. A person
given without any identifier is always a new record: names are not unique.

Every look at a person (page or API, one person or a search) is audited (`person_viewed`,
`persons_searched`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.lib.errors import ValidationProblem
from anninh.lib.identifiers import normalize_cccd, normalize_phone_vn
from anninh.lib.text import fold, normalize, person_sort_string  # the one import site of the sort key
from anninh.records.models import Person, PersonPhone
from anninh.records.versioning import RecordError

MAX_PHONES = 5
NAME_MAX = 150


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Text as typed, made safe to store: control characters (NUL included, which PostgreSQL
    refuses; newlines and tabs kept when `multiline`) and lone surrogates removed, NFC,
    trimmed. Lengths are checked by the callers."""
    if not value:
        return ""
    text = "".join(
        ch
        for ch in str(value)
        if not (unicodedata.category(ch) in ("Cc", "Cs") and not (multiline and ch in "\n\t"))
    )
    return unicodedata.normalize("NFC", text).strip()


def _cccd_message(code: str) -> str:
    return {
        "cccd.not_digits": _("A citizen ID (CCCD) number has digits only."),
        "cccd.length": _("A citizen ID (CCCD) number has 12 digits."),
        "cccd.province": _("The first three digits of a citizen ID (CCCD) number must be a province code."),
    }.get(code, _("Enter a valid citizen ID (CCCD) number: 12 digits."))


@dataclass(frozen=True)
class PersonIds:
    cccd: str | None
    phones: tuple[str, ...]


def person_ids_clean(cccd: str | None, phones: Iterable[str]) -> PersonIds:
    """Normalise a CCCD and phone numbers, or raise RecordError (field "cccd" or "phones")."""
    cccd = clean_text(cccd)
    try:
        clean_cccd = normalize_cccd(cccd) if cccd else None
    except ValidationProblem as exc:
        raise RecordError(exc.code, _cccd_message(exc.code), field="cccd") from exc
    clean_phones: list[str] = []
    for raw in phones:
        phone = clean_text(raw)
        if not phone:
            continue
        try:
            number = normalize_phone_vn(phone)
        except ValidationProblem as exc:
            raise RecordError(
                exc.code,
                _("%(phone)s is not a Vietnamese mobile number (10 digits, starting with 0 or +84).")
                % {"phone": phone[:40]},
                field="phones",
            ) from exc
        if number not in clean_phones:
            clean_phones.append(number)
    if len(clean_phones) > MAX_PHONES:
        raise RecordError(
            "person.phones", _("Enter at most %(n)s phone numbers.") % {"n": MAX_PHONES}, field="phones"
        )
    return PersonIds(clean_cccd, tuple(clean_phones))


def person_fields_clean(
    *, full_name: str, birth_date: dt.date | None = None, birth_year: int | None = None
) -> str:
    """The normalised full name, after checking the name and birth date; RecordError otherwise."""
    name = normalize(clean_text(full_name))
    if not name:
        raise RecordError("person.name", _("Enter the person's full name."), field="full_name")
    if len(name) > NAME_MAX:
        raise RecordError(
            "person.name_length",
            _("A full name has at most %(n)s characters.") % {"n": NAME_MAX},
            field="full_name",
        )
    today = timezone.localdate()
    if birth_date is not None and not dt.date(1900, 1, 1) <= birth_date <= today:
        raise RecordError(
            "person.birth_date",
            _("The date of birth cannot be in the future or before 1900."),
            field="birth_date",
        )
    if birth_year is not None and not 1900 <= birth_year <= today.year:
        raise RecordError(
            "person.birth_year",
            _("The year of birth must be between 1900 and this year."),
            field="birth_year",
        )
    return name


def person_resolve(
    *,
    actor,
    full_name: str,
    cccd: str | None = None,
    phones: Iterable[str] = (),
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    address: str = "",
    commune=None,
    province_code: str = "",
) -> Person:
    """Return the existing person with this CCCD or phone (adding what is new to them), or
    create one. Audited either way (create, or update when something was added).

    Raises RecordError: invalid name, CCCD or phone (nothing saved); "person.ambiguous" when
    the identifiers belong to different people on file; "person.cccd_conflict" when a phone
    belongs to a person with another CCCD. Runs in the caller's transaction when there is
    one; two concurrent calls with the same CCCD or phone end with one person.
    """
    name = person_fields_clean(full_name=full_name, birth_date=birth_date, birth_year=birth_year)
    ids = person_ids_clean(cccd, phones)
    address = clean_text(address)[:300]
    province_code = clean_text(province_code)[:2]
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _resolve(
                    actor=actor,
                    name=name,
                    ids=ids,
                    birth_date=birth_date,
                    birth_year=birth_year,
                    address=address,
                    commune=commune,
                    province_code=province_code,
                )
        except IntegrityError:
            # Someone else created this CCCD or phone meanwhile: match against their row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _resolve(
    *, actor, name, ids: PersonIds, birth_date, birth_year, address, commune, province_code
) -> Person:
    matches: dict[int, Person] = {}
    if ids.cccd:
        for p in Person.objects.filter(cccd=ids.cccd):
            matches[p.pk] = p
    if ids.phones:
        for link in PersonPhone.objects.filter(number__in=ids.phones).select_related("person"):
            matches.setdefault(link.person_id, link.person)
    if len(matches) > 1:
        raise RecordError(
            "person.ambiguous",
            _(
                "This citizen ID and these phone numbers belong to different people already on file; merge them first."
            ),
            field="cccd",
        )
    commune_id = getattr(commune, "pk", commune) or None
    if matches:
        person = next(iter(matches.values()))
        if ids.cccd and person.cccd and person.cccd != ids.cccd:
            raise RecordError(
                "person.cccd_conflict",
                _("This phone number belongs to a person with another citizen ID."),
                field="phones",
            )
        before = snapshot(person)
        changed = []
        if ids.cccd and not person.cccd:
            person.cccd = ids.cccd
            changed.append("cccd")
        for attr, value in (
            ("birth_date", birth_date),
            ("birth_year", birth_year or (birth_date.year if birth_date else None)),
            ("address", address),
            ("commune_id", commune_id),
            ("province_code", province_code),
        ):
            if value and not getattr(person, attr):
                setattr(person, attr, value)
                changed.append(attr)
        if changed:
            person.version += 1
            person.save()
        known = set(person.phones.values_list("number", flat=True))
        new_phones = [n for n in ids.phones if n not in known]
        PersonPhone.objects.bulk_create([PersonPhone(person=person, number=n) for n in new_phones])
        if changed or new_phones:
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=person,
                before=before,
                after={**snapshot(person), "phones_added": new_phones},
                extra={"matched": True, "name_given": name}
                if name != person.full_name
                else {"matched": True},
            )
        return person
    person = Person.objects.create(
        full_name=name,
        name_key=fold(name)[:160],
        sort_key=person_sort_string(name)[:400],
        cccd=ids.cccd,
        birth_date=birth_date,
        birth_year=birth_year or (birth_date.year if birth_date else None),
        address=address,
        commune_id=commune_id,
        province_code=province_code,
    )
    PersonPhone.objects.bulk_create([PersonPhone(person=person, number=n) for n in ids.phones])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=person,
        after={**snapshot(person), "phones": list(ids.phones)},
    )
    return person


# Reads of personal data are audited -----------------------------------------------------------


def person_viewed(*, actor, person: Person, via: str = "page") -> None:
    """One audit row per look at a person's record."""
    audit_record(actor=actor, action=AuditAction.VIEW, target=person, extra={"via": via})


def persons_searched(*, actor, q: str, results: int, via: str = "page") -> None:
    """One audit row per person search (the query and how many people it showed)."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="records.person",
        extra={"via": via, "q": clean_text(q)[:200], "results": results},
    )

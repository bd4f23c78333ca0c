"""The person index: one person record per real person.

`person_resolve` finds the person by normalised CCCD (an identity) or phone (a lead) among
the persons the actor may see, before creating anyone, so the same identity card never makes
two people. It never reveals or changes a person the actor may not see: such a possible
identity, and any phone shared by people of other names, goes to a review (`PersonMatch`,
decided by `person_match_decide`) for someone who may see both. A person given without any
identifier is always a new record: names are not unique.

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

from anninh.accounts.permissions import get_scoped_or_404
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.lib.errors import ValidationProblem
from anninh.lib.identifiers import cccd_birth_year, cccd_sex, normalize_cccd, normalize_phone_vn
from anninh.lib.text import fold, normalize, person_sort_string  # the one import site of the sort key
from anninh.records.models import Person, PersonMatch, PersonMatchReason, PersonMatchStatus, PersonPhone, Sex
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


def sex_clean(sex: str | None) -> str:
    """A sex value of `Sex` ("" or None: not known); RecordError (field "sex") otherwise."""
    value = clean_text(sex) or Sex.UNKNOWN
    if value not in Sex.values:
        raise RecordError("person.sex", _("Choose the sex: male, female or not known."), field="sex")
    return value


def _given_year(birth_date: dt.date | None, birth_year: int | None) -> int | None:
    return birth_year or (birth_date.year if birth_date else None)


def _known_sex(person: Person) -> str | None:
    """The sex on file: as recorded, else as the person's CCCD encodes it; None if neither."""
    if person.sex in (Sex.MALE, Sex.FEMALE):
        return person.sex
    return cccd_sex(person.cccd) if person.cccd else None


def _known_year(person: Person) -> int | None:
    """The year of birth on file: as recorded, else as the person's CCCD encodes it."""
    year = _given_year(person.birth_date, person.birth_year)
    return year or (cccd_birth_year(person.cccd) if person.cccd else None)


def _facts_conflict(
    person: Person, *, cccd: str | None, sex: str, birth_date: dt.date | None, birth_year: int | None
) -> bool:
    """Do the facts given (with what the CCCD given encodes) contradict those on file (with
    what the CCCD on file encodes)? Unknown on either side: no. The facts given were checked
    against their own CCCD first (`person_identity_check`)."""
    if birth_date and person.birth_date and birth_date != person.birth_date:
        return True
    year = _given_year(birth_date, birth_year) or (cccd_birth_year(cccd) if cccd else None)
    known = _known_year(person)
    if year and known and year != known:
        return True
    given_sex = sex if sex in (Sex.MALE, Sex.FEMALE) else (cccd_sex(cccd) if cccd else None)
    known_sex = _known_sex(person)
    return bool(given_sex and known_sex and given_sex != known_sex)


def person_identity_check(
    *, cccd: str | None, sex: str = "", birth_date: dt.date | None = None, birth_year: int | None = None
) -> None:
    """A CCCD's 4th digit encodes the century of birth and the sex, its 5th-6th digits the
    year (anninh.lib.identifiers): refuse a normalised CCCD that contradicts the sex or the
    year given (a typo in one of them), with a message naming both. Nothing known: no check."""
    if not cccd:
        return
    year = _given_year(birth_date, birth_year)
    if year and cccd_birth_year(cccd) != year:
        raise RecordError(
            "cccd.birth_year",
            _("This citizen ID belongs to someone born in %(cccd_year)s, not %(year)s: check both.")
            % {"cccd_year": cccd_birth_year(cccd), "year": year},
            field="cccd",
        )
    if sex in (Sex.MALE, Sex.FEMALE) and cccd_sex(cccd) != sex:
        raise RecordError(
            "cccd.sex",
            _("This citizen ID belongs to a person of sex “%(cccd_sex)s”, not “%(sex)s”: check both.")
            % {"cccd_sex": str(Sex(cccd_sex(cccd)).label).lower(), "sex": str(Sex(sex).label).lower()},
            field="cccd",
        )


def person_resolve(
    *,
    actor,
    full_name: str,
    cccd: str | None = None,
    phones: Iterable[str] = (),
    birth_date: dt.date | None = None,
    birth_year: int | None = None,
    sex: str = "",
    address: str = "",
    commune=None,
    province_code: str = "",
) -> Person:
    """Return the person these details name, among the persons `actor` may see, adding what is
    new to them; or create a new person. Audited either way (create, or update when
    something was added).

    - A CCCD is an identity: the person on file with it, if the actor may see them. If the
      CCCD belongs to a person the actor may not see, nothing of that person is revealed or
      changed: a new person is created without the CCCD, and the possible identity goes to
      a review (`PersonMatch`) for someone who may see both.
    - A phone is a lead, never an identity (families share phones): a person the actor may
      see with the phone, the same name (folded) and no contradicting sex, birth facts or
      CCCD (a CCCD's digits encode sex and year of birth, so a CCCD is never attached to a
      person whose recorded sex or birth year it contradicts) is the same person; anyone
      else with the phone becomes a review candidate.
    - A person given without any identifier is always a new record: names are not unique.

    Raises RecordError for an invalid name, sex, CCCD (including a century-and-sex or year
    digit that contradicts the sex or year of birth given) or phone: nothing saved. Runs in the caller's transaction when there is
    one; two concurrent calls with the same CCCD end with one person.
    """
    name = person_fields_clean(full_name=full_name, birth_date=birth_date, birth_year=birth_year)
    ids = person_ids_clean(cccd, phones)
    sex = sex_clean(sex)
    person_identity_check(cccd=ids.cccd, sex=sex, birth_date=birth_date, birth_year=birth_year)
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
                    sex=sex,
                    address=address,
                    commune=commune,
                    province_code=province_code,
                )
        except IntegrityError:
            # Someone else created this CCCD meanwhile: match against their row.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _resolve(
    *, actor, name, ids: PersonIds, birth_date, birth_year, sex, address, commune, province_code
) -> Person:
    # Matching looks at every person (system lookup), but only a person the actor may see can
    # be returned or changed: the rest become review candidates, invisible to the actor.
    holder = Person.objects.unrestricted().filter(cccd=ids.cccd).first() if ids.cccd else None
    sharing = (
        list(
            Person.objects.unrestricted()
            .filter(phones__number__in=ids.phones)
            .exclude(pk__in=[holder.pk] if holder is not None else [])
            .distinct()
            .order_by("pk")
        )
        if ids.phones
        else []
    )
    # Which of those the actor may see: asked only when there is someone to ask about (a new
    # CCCD and new phones, the usual case, cost no scoped query).
    candidates = [p.pk for p in (holder, *sharing) if p is not None]
    visible_ids = (
        set(Person.objects.restrict(actor).filter(pk__in=candidates).values_list("pk", flat=True))
        if candidates
        else set()
    )
    reviews: list[tuple[Person, str]] = []
    person: Person | None = None
    withheld_cccd = ""
    if holder is not None:
        if holder.pk in visible_ids:
            person = holder
        else:
            reviews.append((holder, PersonMatchReason.CCCD))
            withheld_cccd = ids.cccd
    if ids.phones:
        key = fold(name)
        for other in sharing:
            same = (
                person is None
                and other.pk in visible_ids
                and fold(other.full_name) == key
                and not _facts_conflict(
                    other, cccd=ids.cccd, sex=sex, birth_date=birth_date, birth_year=birth_year
                )
                and not (ids.cccd and other.cccd)
                and not withheld_cccd
            )
            if same:
                person = other
            else:
                reviews.append((other, PersonMatchReason.PHONE))
    commune_id = getattr(commune, "pk", commune) or None
    if person is not None:
        _add_facts(
            actor=actor,
            person=person,
            name=name,
            ids=ids,
            birth_date=birth_date,
            birth_year=birth_year,
            sex=sex,
            address=address,
            commune_id=commune_id,
            province_code=province_code,
        )
    else:
        person = Person.objects.create(
            full_name=name,
            name_key=fold(name)[:160],
            sort_key=person_sort_string(name)[:400],
            cccd=None if withheld_cccd else ids.cccd,
            birth_date=birth_date,
            birth_year=birth_year or (birth_date.year if birth_date else None),
            sex=sex,
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
    for candidate, reason in reviews:
        _match_open(actor=actor, person=person, candidate=candidate, reason=reason, claimed=withheld_cccd)
    return person


def _add_facts(
    *,
    actor,
    person: Person,
    name,
    ids: PersonIds,
    birth_date,
    birth_year,
    sex,
    address,
    commune_id,
    province_code,
) -> None:
    """Add to a matched person what they lack (never overwriting what is on file)."""
    before = snapshot(person)
    changed = []
    if ids.cccd and not person.cccd:
        person.cccd = ids.cccd
        changed.append("cccd")
    for attr, value in (
        ("birth_date", birth_date),
        ("birth_year", birth_year or (birth_date.year if birth_date else None)),
        ("sex", "" if sex == Sex.UNKNOWN else sex),
        ("address", address),
        ("commune_id", commune_id),
        ("province_code", province_code),
    ):
        if value and getattr(person, attr) in (None, "", Sex.UNKNOWN):
            setattr(person, attr, value)
            changed.append(attr)
    if changed:
        person.version += 1
        person.save()
    known = set(person.phones.unrestricted().values_list("number", flat=True))
    new_phones = [n for n in ids.phones if n not in known]
    PersonPhone.objects.bulk_create([PersonPhone(person=person, number=n) for n in new_phones])
    if changed or new_phones:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=person,
            before=before,
            after={**snapshot(person), "phones_added": new_phones},
            extra={"matched": True, "name_given": name} if name != person.full_name else {"matched": True},
        )


def _match_open(*, actor, person: Person, candidate: Person, reason: str, claimed: str) -> None:
    match, created = PersonMatch.objects.unrestricted().get_or_create(
        person=person,
        candidate=candidate,
        defaults={
            "reason": reason,
            "claimed_cccd": claimed if reason == PersonMatchReason.CCCD else "",
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=match,
            extra={"person": person.pk, "candidate": candidate.pk, "reason": reason},
        )


def person_match_decide(*, actor, match_id: int, decision: str, note: str = "") -> PersonMatch:
    """Decide a possible identity: "merge" (the intake record is folded into the person on
    file: its records, phones and the CCCD given move over, then it is removed) or "reject"
    (different people). Only someone who may see both persons (404 otherwise, audited).
    One transaction, audited."""
    note = clean_text(note)[:300]
    # Outside the transaction: a refusal (404) is audited, and must not roll back with it.
    get_scoped_or_404(PersonMatch.objects.restrict(actor), actor, pk=match_id)
    with transaction.atomic():
        match = PersonMatch.objects.restrict(actor).select_for_update().get(pk=match_id)
        if decision not in ("merge", "reject"):
            raise RecordError("match.decision", _("Choose merge or reject."), field="decision")
        if match.status != PersonMatchStatus.OPEN:
            raise RecordError("match.decided", _("This possible match has already been decided."))
        match.decided_by = actor
        match.decided_at = timezone.now()
        match.note = note
        if decision == "reject":
            match.status = PersonMatchStatus.REJECTED
            match.save()
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=match,
                extra={"decision": "reject", "person": match.person_id, "candidate": match.candidate_id},
            )
            return match
        keep = Person.objects.unrestricted().select_for_update().get(pk=match.candidate_id)
        dup = Person.objects.unrestricted().select_for_update().get(pk=match.person_id)
        before = snapshot(keep)
        match.status = PersonMatchStatus.MERGED
        match.save()
        _merge_into(keep=keep, dup=dup, claimed_cccd=match.claimed_cccd)
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=keep,
            before=before,
            after=snapshot(keep),
            extra={"merged_from": dup.pk, "match": match.pk, "decision": "merge"},
        )
        dup.delete()
        return match


def _merge_into(*, keep: Person, dup: Person, claimed_cccd: str) -> None:
    from anninh.records.models import CrimeReport, IncidentPerson

    for link in IncidentPerson.objects.unrestricted().filter(person=dup):
        if (
            IncidentPerson.objects.unrestricted()
            .filter(incident_id=link.incident_id, person=keep, role=link.role)
            .exists()
        ):
            link.delete()
        else:
            link.person = keep
            link.save(update_fields=["person"])
    CrimeReport.objects.unrestricted().filter(reporter=dup).update(reporter=keep)
    known = set(keep.phones.unrestricted().values_list("number", flat=True))
    PersonPhone.objects.unrestricted().filter(person=dup).exclude(number__in=known).update(person=keep)
    # Other open reviews of the removed record now concern the person kept.
    for other in PersonMatch.objects.unrestricted().filter(person=dup).exclude(candidate=keep):
        if not PersonMatch.objects.unrestricted().filter(person=keep, candidate=other.candidate_id).exists():
            other.person = keep
            other.save(update_fields=["person"])
    cccd = claimed_cccd or dup.cccd
    if dup.cccd:
        dup.cccd = None
        dup.save(update_fields=["cccd"])
    for attr in ("cccd", "birth_date", "birth_year", "sex", "address", "commune_id", "province_code"):
        value = cccd if attr == "cccd" else getattr(dup, attr)
        if value and value != Sex.UNKNOWN and getattr(keep, attr) in (None, "", Sex.UNKNOWN):
            setattr(keep, attr, value)
    keep.version += 1
    keep.save()


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

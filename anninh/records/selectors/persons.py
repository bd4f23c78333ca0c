"""Reading the person index. Personal data, so two gates:

1. Role: commanders, investigators and commune officers; analysts only with a personal-data
   grant (`persons_allowed`). Everyone else is refused (403, audited, by the views).
2. Records: a viewer sees a person only through a record they can see: a crime report they
   may read (for a confidential reporter: only as a member of the handling unit) or an
   incident they may read (`person_visibility_q`). A guessed id answers 404, audited.

Every read is audited by the caller (anninh.records.services.persons.person_viewed /
persons_searched).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from anninh.accounts.permissions import get_scoped_or_404
from anninh.accounts.roles import Role
from anninh.accounts.scoping import visible_q
from anninh.lib.errors import ValidationProblem
from anninh.lib.identifiers import normalize_phone_vn
from anninh.lib.text import fold
from anninh.records import scoping
from anninh.records.models import (
    CrimeReport,
    IncidentPerson,
    Person,
    PersonMatch,
    PersonMatchStatus,
    PersonPhone,
)
from anninh.records.services.persons import clean_text

PERSON_ROLES = (Role.COMMANDER, Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.ANALYST)
PAGE_SIZE = 50
#: The role gate of every person page and endpoint (also part of Person.need_to_know).
persons_allowed = scoping.persons_allowed


def person_visibility_q(viewer) -> Q:
    """Q for the persons `viewer` may see (Person.need_to_know)."""
    return visible_q(Person, viewer)


def person_base(*, viewer) -> QuerySet:
    return Person.objects.restrict(viewer)


def person_search(*, viewer, q: str = "") -> QuerySet:
    """Persons the viewer may see matching `q`: a phone number (any way it is written), the
    digits of a CCCD (12, or the start of one), or the folded words of the name. Sorted
    Vietnamese-style (given name first)."""
    qs = person_base(viewer=viewer)
    q = clean_text(q)[:100]
    if q:
        digits = "".join(ch for ch in q if ch.isdigit())
        only_digits = digits and all(ch.isdigit() or ch in " .-+()" for ch in q)
        if only_digits:
            cond = Q(cccd__startswith=digits) if len(digits) <= 12 else Q(pk__in=[])
            try:
                phone = normalize_phone_vn(q)
            except ValidationProblem:
                phone = None
            if phone:
                cond |= Q(phones__number=phone)
            elif len(digits) >= 4:
                cond |= Q(phones__number__contains=digits)
            # The identifier match only narrows the scoped queryset above.
            qs = qs.filter(pk__in=Person.objects.unrestricted().filter(cond).values("pk"))
        else:
            cond = Q()
            for word in fold(q).split():
                cond &= Q(name_key__contains=word)
            qs = qs.filter(cond)
    return (
        qs.select_related("commune")
        .defer("commune__boundary")
        .prefetch_related(Prefetch("phones", queryset=PersonPhone.objects.unrestricted().order_by("id")))
        .order_by("sort_key", "id")
    )


def person_get(*, viewer, pk: int) -> Person:
    """One person the viewer may see, or 404 (audited when the person exists)."""
    qs = person_base(viewer=viewer).select_related("commune").defer("commune__boundary")
    return get_scoped_or_404(qs, viewer, pk=pk)


@dataclass
class PersonLinks:
    reports: list[CrimeReport]
    incidents: list[IncidentPerson]


def person_links(*, viewer, person: Person) -> PersonLinks:
    """The records through which the viewer may see this person, and the person's role there."""
    reports = list(
        scoping.reporter_visible_reports(viewer)
        .filter(reporter=person)
        .select_related("handling_unit", "commune", "reporter")
        .defer("commune__boundary", "summary")
        .order_by("-received_at")[:200]
    )
    incidents = list(
        IncidentPerson.objects.restrict(viewer)
        .filter(person=person)
        .select_related("incident", "incident__commune")
        .defer("incident__commune__boundary", "incident__narrative")
        .order_by("-incident__occurred_from")[:200]
    )
    return PersonLinks(reports=reports, incidents=incidents)


def person_match_list(*, viewer) -> QuerySet:
    """Open possible identities the viewer may decide (they may see both persons)."""
    return (
        PersonMatch.objects.restrict(viewer)
        .filter(status=PersonMatchStatus.OPEN)
        .select_related("person", "candidate", "person__commune", "candidate__commune")
        .defer("person__commune__boundary", "candidate__commune__boundary")
        .prefetch_related(
            Prefetch("person__phones", queryset=PersonPhone.objects.unrestricted().order_by("id")),
            Prefetch("candidate__phones", queryset=PersonPhone.objects.unrestricted().order_by("id")),
        )
        .order_by("created_at", "id")
    )

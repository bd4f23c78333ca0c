"""Who sees which records. The rules are declared beside each model (`need_to_know =
ScopeRule(...)`, see anninh.accounts.scoping) and applied by `Model.objects.restrict(viewer)`;
this module holds the parts of them that need more than a field lookup, and the conditions
other apps join on (CompStat's monthly counts, cases through their incident).

- Commanders and analysts: the whole city.
- Commune officers: records in their commune, and records their unit received, handles or
  is asked to accept.
- Investigators: records their department (and its sub-units) received, handles or is asked
  to accept.
- Fire-and-rescue officers: fire, explosion and rescue incidents across the city.
- Public relations, auditors, administrators: no records.
- Persons: only through a record the viewer may read that names them (a confidential
  reporter only for the handling unit), and only for the roles that read personal data.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from anninh.accounts.roles import Role
from anninh.accounts.scoping import NOTHING, scope_for, visible_q
from anninh.records.models import FIRE_RESCUE_KINDS

__all__ = [
    "NOTHING",
    "apply",
    "incident_visibility_q",
    "person_rows",
    "report_visibility_q",
    "sees_personal_data",
]


def fire_rescue_rows(viewer, prefix: str) -> Q | None:
    """Fire-and-rescue officers see fires, explosions and rescues across the city."""
    if viewer.has_role(Role.FIRE_RESCUE):
        return Q(**{f"{prefix}kind__in": sorted(FIRE_RESCUE_KINDS)})
    return None


def report_visibility_q(viewer, *, prefix: str = "") -> Q | None:
    """Q for visible crime reports; None means every report."""
    from anninh.records.models import CrimeReport

    return visible_q(CrimeReport, viewer, prefix=prefix)


def incident_visibility_q(viewer, *, prefix: str = "") -> Q | None:
    """Q for visible incidents (prefix e.g. "incident__" to filter cases); None = all. Also
    the rule of CompStat's monthly counts, which keep the incident's commune, unit and kind."""
    from anninh.records.models import Incident

    return visible_q(Incident, viewer, prefix=prefix)


def incident_link_rows(viewer, prefix: str) -> Q | None:
    """People named in an incident: seen with the incident."""
    return incident_visibility_q(viewer, prefix=f"{prefix}incident__")


def case_history_rows(viewer, prefix: str) -> Q | None:
    from anninh.records.models import Case

    return visible_q(Case, viewer, prefix=f"{prefix}case__")


def persons_allowed(viewer) -> bool:
    """May `viewer` read the person index at all: commanders, investigators and commune
    officers; analysts only with a personal-data grant."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    if viewer.has_role(Role.COMMANDER, Role.INVESTIGATOR, Role.COMMUNE_OFFICER):
        return True
    return viewer.has_role(Role.ANALYST) and bool(viewer.personal_data_granted)


def reporter_visible_reports(viewer) -> QuerySet:
    """Reports through which the viewer may see their reporter: a report they may read, and
    for a confidential reporter only as a member of the handling unit."""
    from anninh.records.models import CrimeReport

    condition = Q(reporter_confidential=False)
    unit_id = getattr(viewer, "unit_id", None)
    if unit_id:
        condition |= Q(handling_unit_id=unit_id)
    return CrimeReport.objects.restrict(viewer).filter(condition)


def person_rows(viewer, prefix: str) -> Q:
    """A person is seen through a record that names them and that the viewer may read."""
    from anninh.records.models import IncidentPerson

    if not persons_allowed(viewer):
        return NOTHING
    ref = OuterRef(f"{prefix}pk" if prefix else "pk")
    reports = reporter_visible_reports(viewer).filter(reporter_id=ref)
    incidents = IncidentPerson.objects.restrict(viewer).filter(person_id=ref)
    return Q(Exists(reports)) | Q(Exists(incidents))


def person_phone_rows(viewer, prefix: str) -> Q:
    return person_rows(viewer, f"{prefix}person__")


def person_match_rows(viewer, prefix: str) -> Q:
    """A possible identity is for someone who may see both persons (and read personal data)."""
    from anninh.records.models import Person

    if not persons_allowed(viewer):
        return NOTHING
    visible = Person.objects.restrict(viewer).values("pk")
    return Q(**{f"{prefix}person__in": visible}) & Q(**{f"{prefix}candidate__in": visible})


def apply(queryset: QuerySet, condition: Q | None) -> QuerySet:
    return queryset if condition is None else queryset.filter(condition)


def sees_personal_data(viewer) -> bool:
    """Names, identity numbers and phones of people in records: not for analysts unless a
    commander granted it (need-to-know)."""
    return scope_for(viewer).personal_data

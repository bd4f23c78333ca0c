"""Which campaigns a viewer sees (Campaign.need_to_know)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from anninh.accounts.roles import Role
from anninh.accounts.scoping import NOTHING, scope_for


def campaign_rows(viewer, prefix: str) -> Q | None:
    from anninh.campaigns.models import Campaign

    if viewer.has_role(Role.COMMANDER, Role.ANALYST):
        return None
    scope = scope_for(viewer)
    units = set(scope.unit_ids)
    if viewer.has_role(Role.COMMUNE_OFFICER) and viewer.unit_id:
        units.add(viewer.unit_id)
    ref = OuterRef(f"{prefix}pk" if prefix else "pk")
    through_units = Campaign.units.through.objects.filter(campaign_id=ref, unit_id__in=sorted(units))
    condition = Q(Exists(through_units)) if units else NOTHING
    if scope.commune_codes:
        through_communes = Campaign.communes.through.objects.filter(campaign_id=ref)
        codes = sorted(scope.commune_codes)
        # A campaign for the whole city (no commune chosen) covers every commune.
        condition |= ~Q(Exists(through_communes)) | Q(Exists(through_communes.filter(commune_id__in=codes)))
    return condition


def target_rows(viewer, prefix: str) -> Q | None:
    from anninh.campaigns.models import Campaign

    condition = campaign_rows(viewer, "")
    if condition is None:
        return None
    return Q(**{f"{prefix}campaign__in": Campaign.objects.unrestricted().filter(condition).values("pk")})


def cleared_suspect_rows(viewer, prefix: str) -> Q | None:
    """A suspect of a cleared case: seen with the case, and only if the viewer may also see
    the case's incident (the suspects are named there); None when the viewer sees both every
    case and every incident."""
    from anninh.accounts.scoping import visible_q
    from anninh.records.models import Case, Incident

    case = visible_q(Case, viewer, prefix=f"{prefix}case__")
    incident = visible_q(Incident, viewer, prefix=f"{prefix}case__incident__")
    if case is None and incident is None:
        return None
    return (case if case is not None else Q()) & (incident if incident is not None else Q())

"""The joins of the dialogue records' need-to-know rules (see anninh.business.models).

- A business account reads its own business, the meetings it attended or raised
  recommendations at, and its own recommendations: through subqueries on its account link,
  so a business with several accounts never doubles a row.
- Staff with a unit read the recommendations assigned to their unit or below it, and the
  businesses and meetings those recommendations belong to.
"""

from __future__ import annotations

from django.db.models import Q

from anninh.accounts.roles import Role
from anninh.accounts.scoping import unit_subtree_ids


def _own_business_ids(viewer):
    from anninh.business.models import BusinessAccount

    return BusinessAccount.objects.filter(user_id=viewer.pk).values("business_id")


def _unit_ids(viewer) -> list[int]:
    cached = getattr(viewer, "_dialogue_units", None)
    if cached is None:
        cached = sorted(unit_subtree_ids(viewer.unit_id)) if viewer.unit_id else []
        viewer._dialogue_units = cached
    return cached


def _assigned_to_unit(viewer):
    """System subquery: the recommendations assigned to the viewer's unit subtree."""
    from anninh.business.models import Recommendation

    return Recommendation.objects.unrestricted().filter(assigned_unit_id__in=_unit_ids(viewer))


def recommendation_also(viewer, prefix: str) -> Q | None:
    if Role.BUSINESS in viewer.roles:
        return Q(**{f"{prefix}business_id__in": _own_business_ids(viewer)})
    if viewer.unit_id:
        return Q(**{f"{prefix}assigned_unit_id__in": _unit_ids(viewer)})
    return None


def business_also(viewer, prefix: str) -> Q | None:
    if Role.BUSINESS in viewer.roles:
        return Q(**{f"{prefix}pk__in": _own_business_ids(viewer)})
    if viewer.unit_id:
        return Q(**{f"{prefix}pk__in": _assigned_to_unit(viewer).values("business_id")})
    return None


def meeting_also(viewer, prefix: str) -> Q | None:
    from anninh.business.models import Recommendation

    if Role.BUSINESS in viewer.roles:
        raised = Recommendation.objects.unrestricted().filter(business_id__in=_own_business_ids(viewer))
        return Q(**{f"{prefix}pk__in": raised.values("meeting_id")})
    if viewer.unit_id:
        return Q(**{f"{prefix}pk__in": _assigned_to_unit(viewer).values("meeting_id")})
    return None

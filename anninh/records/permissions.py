"""Who may write which records (reads are in anninh.records.scoping).

- Commune officers act for their own commune police unit.
- Investigators act for their department and its sub-units.
- Fire-and-rescue officers record fires, explosions and rescues for their unit.
- A unit's supervisor (User.is_supervisor) approves or returns its records.
- Commanders, analysts, auditors, administrators and public relations read (or nothing); they
  do not write operational records.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import unit_subtree_ids
from anninh.records.versioning import RecordError


def acting_unit_ids(user) -> frozenset[int]:
    """Units the user may act for (write records of)."""
    if not getattr(user, "is_authenticated", False) or not user.unit_id:
        return frozenset()
    if user.has_role(Role.INVESTIGATOR):
        return unit_subtree_ids(user.unit_id)
    if user.has_role(Role.COMMUNE_OFFICER, Role.FIRE_RESCUE):
        return frozenset({user.unit_id})
    return frozenset()


def can_act_for(user, unit_id: int | None) -> bool:
    return unit_id is not None and unit_id in acting_unit_ids(user)


def require_act_for(user, unit_id: int | None) -> None:
    if not can_act_for(user, unit_id):
        raise RecordError("permission.unit", _("You cannot act for this unit."))


def can_review(user, unit_id: int | None) -> bool:
    """The supervisor of the record's unit (or of a unit above it) approves or returns it."""
    if (
        not getattr(user, "is_authenticated", False)
        or not user.is_supervisor
        or not user.unit_id
        or unit_id is None
    ):
        return False
    return unit_id in unit_subtree_ids(user.unit_id)

"""Personas for permission tests (Healthchecks style): one user per role, two commune
officers in different communes, and a user with no role at all.

They stand on the reference data (the 114 communes and the police units loaded by the
geo and org migrations): a persona belongs to a real unit of Hai Phong.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from anninh.accounts.models import RoleAssignment
from anninh.accounts.roles import Role

PASSWORD = "Persona-Passw0rd!"  # noqa: S105 - test-only credential

# Communes of the two commune-officer personas: Phường Hồng Bàng and Phường Ngô Quyền.
COMMUNE_A = "11311"
COMMUNE_B = "11329"


@dataclass(frozen=True)
class PersonaSpec:
    name: str
    roles: tuple[str, ...]
    unit_code: str | None


SPECS = [
    PersonaSpec("commander", (Role.COMMANDER,), "CAHP"),
    PersonaSpec("analyst", (Role.ANALYST,), "PV01"),
    PersonaSpec("investigator", (Role.INVESTIGATOR,), "PC02"),
    PersonaSpec("commune_officer", (Role.COMMUNE_OFFICER,), f"CA{COMMUNE_A}"),
    PersonaSpec("other_commune_officer", (Role.COMMUNE_OFFICER,), f"CA{COMMUNE_B}"),
    PersonaSpec("fire_rescue", (Role.FIRE_RESCUE,), "PC07"),
    PersonaSpec("public_relations", (Role.PUBLIC_RELATIONS,), "PV01"),
    PersonaSpec("auditor", (Role.AUDITOR,), "PV01"),
    PersonaSpec("administrator", (Role.ADMINISTRATOR,), "PV01"),
    PersonaSpec("no_role", (), "PV01"),
    PersonaSpec("civil_defence_leader", (Role.CIVIL_DEFENCE_LEADER,), f"CA{COMMUNE_A}"),
    PersonaSpec("business", (Role.BUSINESS,), None),
]
NAMES = ["anonymous", *(s.name for s in SPECS)]
#: Personas outside the police staff (the civil-defence force, business accounts): a permission
#: matrix that does not name them expects for them what it expects for "no_role".
LIKE_NO_ROLE = ("civil_defence_leader", "business")


def make_user(username: str, *roles: str, unit_code: str | None = None, **fields):
    """Create an active user with `roles` in the unit with `unit_code` (active unit)."""
    from anninh.org.models import Unit

    unit = Unit.objects.active().get(code=unit_code) if unit_code else None
    user = get_user_model().objects.create_user(
        username=username,
        password=PASSWORD,
        unit=unit,
        full_name=fields.pop("full_name", username.title()),
        **fields,
    )
    RoleAssignment.objects.bulk_create([RoleAssignment(user=user, role=r) for r in roles])
    return user


def make_personas() -> dict[str, object]:
    """{persona name: user}; "anonymous" maps to None."""
    people: dict[str, object] = {"anonymous": None}
    for spec in SPECS:
        people[spec.name] = make_user(f"p_{spec.name}", *spec.roles, unit_code=spec.unit_code)
    return people

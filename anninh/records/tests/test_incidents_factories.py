"""Shared helpers of the incident, case, review and scoping tests (imported by the
test_incidents_*, test_cases_*, test_review_* and test_scoping_* modules; no tests here).

- `record(actor, **fields)`: an incident recorded through the service, with sensible
  defaults (a theft in Phường Hồng Bàng two hours ago, with its point).
- fixtures `world` and `supervisor_a` (import `world_fixture`, `supervisor_a_fixture`: the
  fixture names are set explicitly so test arguments do not shadow the imports).
- `world`: four incidents placed so that every persona sees a different subset:

  ============  ==========  ==================  =====================================
  name          commune     responsible unit    seen by (besides commander, analyst)
  ============  ==========  ==================  =====================================
  theft_a       A (11311)   CA11311             commune_officer
  theft_b       B (11329)   CA11329             other_commune_officer
  robbery_b     B (11329)   PC02                investigator, other_commune_officer
  fire_b        B (11329)   PC07                fire_rescue, other_commune_officer
  ============  ==========  ==================  =====================================
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone, translation

from anninh.accounts.roles import Role
from anninh.lib.dates import HCM_TZ
from anninh.records.services import incidents as services
from anninh.testing.personas import COMMUNE_A, COMMUNE_B, make_user

_POINTS: dict[str, tuple[float, float]] = {}
_UNITS: dict[str, int] = {}

# A point at sea, well outside Hai Phong (Gulf of Tonkin, south of Bạch Long Vĩ).
POINT_AT_SEA = (19.2, 107.9)
# Hà Nội, Hoàn Kiếm lake.
POINT_HANOI = (21.0285, 105.8542)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Fast password hashing, and English messages: tests that read a message compare it
    with its English msgid, whatever the state of the Vietnamese catalog (pages and the API
    answer in English when the request names no language)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def point_in(code: str) -> tuple[float, float]:
    if code not in _POINTS:
        from anninh.geo.models import Commune

        c = Commune.objects.get(pk=code)
        _POINTS[code] = (c.point_lat, c.point_lon)
    return _POINTS[code]


def unit_id(code: str) -> int:
    from anninh.org.models import Unit

    return Unit.objects.active().get(code=code).pk


def local(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=HCM_TZ)


def hours_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=n)


def data(**fields) -> services.IncidentData:
    """IncidentData for a theft in commune A (point given), responsible CA11311."""
    commune = fields.pop("commune", COMMUNE_A)
    point = fields.pop("point", point_in(commune))
    base = services.IncidentData(
        kind="crime",
        occurred_from=hours_ago(3),
        reported_at=hours_ago(2),
        responsible_unit_id=unit_id(f"CA{commune}"),
        lat=point[0] if point else None,
        lon=point[1] if point else None,
        commune_code=commune,
        address="12 Hoàng Văn Thụ",
        premises="street",
        narrative="Mất trộm xe máy Honda Wave trước cửa nhà.",
        offences=(services.OffenceData("173"),),
        losses=(services.LossData("Xe máy Honda Wave", 18_000_000),),
    )
    return replace(base, **fields)


def record(actor, **fields):
    return services.incident_create(actor=actor, data=data(**fields))


def update(actor, incident, *, reason: str = "", **fields):
    """Update with the current values of `incident` changed by `fields` (rebuilt from data())."""
    return services.incident_update(
        actor=actor, incident=incident, data=data(**fields), version=incident.version, reason=reason
    )


@pytest.fixture(name="supervisor_a")
def supervisor_a_fixture(personas):
    """The supervisor of Công an phường Hồng Bàng (the commune officer's unit)."""
    return make_user("sup_a", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}", is_supervisor=True)


@pytest.fixture(name="world")
def world_fixture(personas):
    p = personas
    return {
        "theft_a": record(p["commune_officer"]),
        "theft_b": record(p["other_commune_officer"], commune=COMMUNE_B),
        "robbery_b": record(
            p["investigator"],
            commune=COMMUNE_B,
            responsible_unit_id=unit_id("PC02"),
            offences=(services.OffenceData("168", 2),),
            persons=(
                services.PersonData(role="victim", full_name="Nguyễn Thị Hoà", cccd="031190000001"),
                services.PersonData(role="suspect", full_name="Trần Văn Đức", phone="0912345678"),
            ),
        ),
        "fire_b": record(
            p["fire_rescue"],
            kind="fire",
            commune=COMMUNE_B,
            responsible_unit_id=unit_id("PC07"),
            offences=(),
            losses=(),
            narrative="Cháy kho hàng.",
            fire_rescue=services.FireRescueData(cause="Chập điện", injured=1, forces=20, vehicles=3),
        ),
    }


VISIBLE = {
    "commander": {"theft_a", "theft_b", "robbery_b", "fire_b"},
    "analyst": {"theft_a", "theft_b", "robbery_b", "fire_b"},
    "investigator": {"robbery_b"},
    "commune_officer": {"theft_a"},
    "other_commune_officer": {"theft_b", "robbery_b", "fire_b"},
    "fire_rescue": {"fire_b"},
    "public_relations": set(),
    "auditor": set(),
    "administrator": set(),
    "no_role": set(),
    "civil_defence_leader": set(),
    "business": set(),
    "anonymous": set(),
}

__all__ = [
    "POINT_AT_SEA",
    "POINT_HANOI",
    "VISIBLE",
    "data",
    "fast_passwords",
    "hours_ago",
    "local",
    "point_in",
    "record",
    "supervisor_a_fixture",
    "unit_id",
    "update",
    "world_fixture",
]

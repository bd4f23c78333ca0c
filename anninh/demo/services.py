"""Demo data: synthetic, labelled so, and safe to run again (idempotent).

`demo_seed()` runs every seeder in order. The reference data (the 114 communes and the
police units) comes from migrations; the seeders add what a demonstration needs on top:
one demo user per role today, and the synthetic records of each capability as they land
(each capability appends its seeder to SEEDERS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from anninh.accounts.models import RoleAssignment
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.org.models import Unit
from anninh.records.demo import records_demo_seed

# One password for every demo account, printed by the demo command. Demo mode only:
# demo_seed refuses to create accounts unless ANNINH_DEMO=1 (never in production).
DEMO_PASSWORD = "AnNinh@Demo2026"  # noqa: S105


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    rank: str
    unit_code: str | None  # None: not a police officer's account (a business's)
    roles: tuple[str, ...]


DEMO_USERS = [
    DemoUser("commander", "Nguyễn Văn Hùng", "Đại tá", "CAHP", (Role.COMMANDER,)),
    DemoUser("analyst", "Trần Thị Mai", "Thiếu tá", "PV01", (Role.ANALYST,)),
    DemoUser("investigator", "Lê Quang Minh", "Trung tá", "PC02", (Role.INVESTIGATOR,)),
    DemoUser("officer.hongbang", "Phạm Đức Anh", "Đại úy", "CA11311", (Role.COMMUNE_OFFICER,)),
    DemoUser("officer.ngoquyen", "Vũ Thị Hằng", "Thượng úy", "CA11329", (Role.COMMUNE_OFFICER,)),
    DemoUser("firerescue", "Đỗ Văn Thắng", "Thiếu tá", "PC07", (Role.FIRE_RESCUE,)),
    DemoUser("press", "Hoàng Thu Trang", "Đại úy", "PV01", (Role.PUBLIC_RELATIONS,)),
    DemoUser("auditor", "Bùi Thanh Sơn", "Trung tá", "PV01", (Role.AUDITOR,)),
    DemoUser("admin", "Ngô Minh Tuấn", "Thiếu tá", "PV01", (Role.ADMINISTRATOR,)),
    # The grassroots civil-defence force (issue #11): not police officers, no rank.
    DemoUser("doitruong.hongbang", "Lương Văn Bình", "", "CA11311", (Role.CIVIL_DEFENCE_LEADER,)),
    DemoUser("antt.hongbang", "Đinh Thị Lan", "", "CA11311", (Role.CIVIL_DEFENCE_MEMBER,)),
    # A business's own account (police-business dialogues): no police unit; the dialogue
    # seeder links it to the first demo business.
    DemoUser("doanhnghiep", "Công ty mẫu (bảo vệ)", "", None, (Role.BUSINESS,)),
]

SYSTEM = "system:demo_seed"


@transaction.atomic
def demo_users_seed() -> list[tuple[DemoUser, bool]]:
    """Create or refresh the demo accounts. Returns (spec, created) pairs."""
    if not settings.DEMO:
        raise ImproperlyConfigured("demo accounts are created only in demo mode (ANNINH_DEMO=1)")
    User = get_user_model()
    units = {u.code: u for u in Unit.objects.active().filter(code__in={d.unit_code for d in DEMO_USERS})}
    out = []
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        before = None if created else snapshot(user, exclude=("password",))
        if created:
            user = User(username=spec.username)
        user.full_name = spec.full_name
        user.rank = spec.rank
        user.unit = units[spec.unit_code] if spec.unit_code else None
        user.is_active = True
        user.is_demo = True
        user.is_staff = Role.ADMINISTRATOR in spec.roles
        user.set_password(DEMO_PASSWORD)
        user.save()
        RoleAssignment.objects.filter(user=user).exclude(role__in=spec.roles).delete()
        for role in spec.roles:
            RoleAssignment.objects.get_or_create(user=user, role=role)
        after = snapshot(user, exclude=("password", "last_login"))
        if before is not None:
            before.pop("last_login", None)
        if created or before != after:
            audit_record(
                actor=None,
                username=SYSTEM,
                action=AuditAction.CREATE if created else AuditAction.UPDATE,
                target=user,
                before=before,
                after={**after, "roles": sorted(spec.roles)},
                extra={"synthetic": True},
            )
        out.append((spec, created))
    return out


# Each capability appends (name, callable) here; callables take a `progress` callback.
SEEDERS: list[tuple[str, Callable[..., object]]] = [("users", lambda progress=None: demo_users_seed())]
SEEDERS.append(("records", records_demo_seed))


def _hotspots(progress=None):
    from anninh.hotspots.demo import hotspots_demo_seed

    return hotspots_demo_seed(progress=progress)


SEEDERS.append(("forecasts", _hotspots))


def _patrols(progress=None):
    from anninh.patrols.demo import patrols_demo_seed

    return patrols_demo_seed(progress=progress)


SEEDERS.append(("patrols", _patrols))


def _requests(progress=None):
    from anninh.requests.demo import requests_demo_seed

    return requests_demo_seed(progress=progress)


SEEDERS.append(("requests", _requests))


def _business(progress=None):
    from anninh.business.demo import business_demo_seed

    return business_demo_seed(progress=progress)


SEEDERS.append(("business dialogues", _business))


def _reports(progress=None):
    from anninh.reports.demo import reports_demo_seed

    return reports_demo_seed(progress=progress)


def _events(progress=None):
    from anninh.events.demo import events_demo_seed

    return events_demo_seed(progress=progress)


def _civildefence(progress=None):
    from anninh.civildefence.demo import civildefence_demo_seed

    return civildefence_demo_seed(progress=progress)


# After the patrols: the event's routes use this week's forecast, duties join approved plans.
SEEDERS.append(("events", _events))
SEEDERS.append(("civil defence", _civildefence))


def _investigations(progress=None):
    from anninh.investigations.demo import investigations_demo_seed

    return investigations_demo_seed(progress=progress)


SEEDERS.append(("investigations", _investigations))


def _enforcement(progress=None):
    from anninh.enforcement.demo import enforcement_demo_seed

    return enforcement_demo_seed(progress=progress)


def _campaigns(progress=None):
    from anninh.campaigns.demo import campaigns_demo_seed

    return campaigns_demo_seed(progress=progress)


SEEDERS.append(("arrests and wanted persons", _enforcement))
SEEDERS.append(("campaigns", _campaigns))


def _alerts(progress=None):
    from anninh.alerts.demo import alerts_demo_seed

    return alerts_demo_seed(progress=progress)


SEEDERS.append(("alerts", _alerts))


# Last: the weekly report counts the records, forecasts and plans seeded above.
SEEDERS.append(("weekly report", _reports))


def demo_login_rows() -> list[tuple[str, str, str]]:
    """(user name, role, unit) of each demo account, in the active language: for the demo
    command's table and the login page in demo mode."""
    units = {u.code: u for u in Unit.objects.filter(code__in={d.unit_code for d in DEMO_USERS})}
    rows = []
    for spec in DEMO_USERS:
        unit = units.get(spec.unit_code)
        name = (unit.short_name or unit.name) if unit else (spec.unit_code or "—")
        rows.append((spec.username, ", ".join(str(Role(r).label) for r in spec.roles), str(name)))
    return rows


def demo_summary(results: dict[str, object]) -> list[tuple[str, str]]:
    """What a demo_seed run made, as (label, number) lines for the command's summary."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    labels = {
        "incidents": _("synthetic incidents"),
        "persons": _("persons"),
        "crime_reports": _("crime reports"),
        "cases": _("criminal cases"),
        "cleared": _("cases with an offender identified"),
        "fire_rescue": _("fire and rescue incidents"),
        "overdue_reports": _("crime reports overdue"),
        "forecasts": _("forecasts"),
        "report_cards": _("forecast report cards"),
        "checkpoint_sites": _("checkpoint sites"),
        "plans": _("patrol plans"),
        "events": _("events"),
        "teams": _("civil-defence teams"),
        "members": _("civil-defence members"),
        "duties": _("civil-defence duties"),
        "requests": _("requests from the public"),
    }
    lines = []
    users = results.get("users") or []
    created = sum(1 for _spec, was_created in users if was_created)
    lines.append((_("demo accounts"), _("%(total)s (%(new)s new)") % {"total": len(users), "new": created}))
    for part in ("records", "forecasts", "patrols", "events", "civil defence", "requests"):
        counts = results.get(part)
        if not isinstance(counts, dict):
            continue
        if counts.get("skipped"):
            lines.append(
                (
                    labels["incidents"],
                    _("%(n)s already there: nothing added")
                    % {"n": number_format(counts.get("incidents", 0), force_grouping=True)},
                )
            )
            continue
        for key, value in counts.items():
            if key in labels and isinstance(value, int):
                lines.append((labels[key], number_format(value, force_grouping=True)))
    return lines


def demo_seed(*, progress: Callable[[str], None] | None = None) -> dict[str, object]:
    results = {}
    for name, seeder in SEEDERS:
        if progress:
            progress(name)
        results[name] = seeder(progress=progress)
    return results

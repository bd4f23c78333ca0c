"""The main navigation, by role. An entry shows only to users holding one of its roles
(an empty role set means every signed-in user). Apps add their pages here."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = frozenset()
    key: str = ""


#: The police staff's roles: reference pages (communes, units) are for them and the
#: civil-defence leaders; business accounts and civil-defence members see only their own pages.
STAFF = frozenset(
    {
        Role.COMMANDER,
        Role.ANALYST,
        Role.INVESTIGATOR,
        Role.COMMUNE_OFFICER,
        Role.FIRE_RESCUE,
        Role.PUBLIC_RELATIONS,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    }
)
#: Who works with the API: those who read records, the auditors and the administrators (the
#: press role has nothing there to read; issue #13 item 10: hide what a role cannot use).
API_USERS = frozenset(
    {
        Role.COMMANDER,
        Role.ANALYST,
        Role.INVESTIGATOR,
        Role.COMMUNE_OFFICER,
        Role.FIRE_RESCUE,
        Role.AUDITOR,
        Role.ADMINISTRATOR,
    }
)

NAVIGATION: list[NavItem] = [
    NavItem(_("Home"), "web:home", key="home"),
    NavItem(_("Communes"), "geo:commune_list", STAFF | {Role.CIVIL_DEFENCE_LEADER}, key="geo"),
    NavItem(_("Police units"), "org:unit_list", STAFF | {Role.CIVIL_DEFENCE_LEADER}, key="org"),
    NavItem(
        _("Crime reports"),
        "records:report_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="reports",
    ),
    NavItem(
        _("Deadlines"),
        "records:deadlines",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="deadlines",
    ),
    NavItem(
        _("Incidents"),
        "records:incident_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.FIRE_RESCUE}),
        key="incidents",
    ),
    NavItem(
        _("Cases"),
        "records:case_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="cases",
    ),
    NavItem(
        _("CompStat"),
        "compstat:dashboard",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="compstat",
    ),
    NavItem(
        _("Analysis"),
        "compstat:hot_spots",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="analysis",
    ),
    NavItem(
        _("Forecasts"),
        "hotspots:map",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="forecasts",
    ),
    NavItem(
        _("Patrols"),
        "patrols:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER}),
        key="patrols",
    ),
    NavItem(
        _("Events"),
        "events:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="events",
    ),
    NavItem(
        _("Civil defence"),
        "civildefence:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER}),
        key="civildefence",
    ),
    NavItem(
        _("My duties"),
        "civildefence:my_duties",
        frozenset({Role.CIVIL_DEFENCE_MEMBER}),
        key="my_duties",
    ),
    NavItem(
        _("Requests from the public"),
        "requests:staff_queue",
        frozenset({Role.COMMANDER, Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.FIRE_RESCUE}),
        key="requests",
    ),
    NavItem(
        _("Service indicators"),
        "requests:staff_indicators",
        frozenset(
            {
                Role.COMMANDER,
                Role.ANALYST,
                Role.COMMUNE_OFFICER,
                Role.INVESTIGATOR,
                Role.FIRE_RESCUE,
                Role.PUBLIC_RELATIONS,
            }
        ),
        key="requests_indicators",
    ),
    NavItem(
        _("Scam warnings"),
        "public:manage_list",
        frozenset({Role.COMMANDER, Role.PUBLIC_RELATIONS}),
        key="warnings",
    ),
    NavItem(
        _("Business dialogues"),
        "business:recommendation_list",
        frozenset(
            {Role.COMMANDER, Role.PUBLIC_RELATIONS, Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.FIRE_RESCUE}
        ),
        key="dialogues",
    ),
    NavItem(
        _("Reports"),
        "reports:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER}),
        key="compstat_reports",
    ),
    NavItem(
        _("Campaigns"),
        "campaigns:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="campaigns",
    ),
    NavItem(
        _("Arrests and wanted persons"),
        "enforcement:arrest_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="enforcement",
    ),
    NavItem(
        _("Alerts"),
        "alerts:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="alerts",
    ),
    NavItem(
        _("On patrol"),
        "field:home",
        frozenset(
            {Role.COMMANDER, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER, Role.CIVIL_DEFENCE_MEMBER}
        ),
        key="field",
    ),
    NavItem(_("Audit log"), "audit:event_list", frozenset({Role.AUDITOR}), key="audit"),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMINISTRATOR}), key="admin"),
    NavItem(
        _("Investigations"),
        "investigations:list",
        frozenset({Role.INVESTIGATOR, Role.COMMANDER, Role.AUDITOR}),
        key="investigations",
    ),
    NavItem(_("API"), "api:openapi-view", API_USERS, key="api"),
]


def items_for(user) -> list[dict]:
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for item in NAVIGATION:
        if item.roles and not user.has_role(*item.roles):
            continue
        out.append({"label": item.label, "url": reverse(item.url_name), "key": item.key})
    return out

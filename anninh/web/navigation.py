"""The main navigation, by role. An entry shows only to users holding one of its roles
(an empty role set means every signed-in user). Apps add their pages here, in a group.

The menu shows a few groups a police user knows (records, analysis, operations, investigations,
the public and businesses, reference, system) instead of some 25 links in a row (issue #13): each
group is a disclosure (<details>) that works without JavaScript. A group of which a role sees one
entry only is shown as that entry's plain link; an entry without a group (Home) is always a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anninh.accounts.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    roles: frozenset[str] = frozenset()
    key: str = ""
    group: str = ""  # a NavGroup key; "" = a link of its own at the top (Home)


@dataclass(frozen=True)
class NavGroup:
    key: str
    label: str | Promise


#: The groups, in the order of the menu.
GROUPS: list[NavGroup] = [
    NavGroup("records", pgettext_lazy("menu group", "Records")),
    NavGroup("analysis", pgettext_lazy("menu group", "Analysis")),
    NavGroup("operations", pgettext_lazy("menu group", "Operations")),
    NavGroup("investigations", pgettext_lazy("menu group", "Investigations")),
    NavGroup("public", pgettext_lazy("menu group", "Public and businesses")),
    NavGroup("reference", pgettext_lazy("menu group", "Reference")),
    NavGroup("system", pgettext_lazy("menu group", "System")),
]

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
    NavItem(
        _("Communes"), "geo:commune_list", STAFF | {Role.CIVIL_DEFENCE_LEADER}, key="geo", group="reference"
    ),
    NavItem(
        _("Police units"), "org:unit_list", STAFF | {Role.CIVIL_DEFENCE_LEADER}, key="org", group="reference"
    ),
    NavItem(
        _("Crime reports"),
        "records:report_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="reports",
        group="records",
    ),
    NavItem(
        _("Deadlines"),
        "records:deadlines",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="deadlines",
        group="records",
    ),
    NavItem(
        _("Incidents"),
        "records:incident_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.FIRE_RESCUE}),
        key="incidents",
        group="records",
    ),
    NavItem(
        _("Cases"),
        "records:case_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="cases",
        group="records",
    ),
    NavItem(
        _("CompStat"),
        "compstat:dashboard",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="compstat",
        group="analysis",
    ),
    NavItem(
        _("Analysis"),
        "compstat:hot_spots",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="analysis",
        group="analysis",
    ),
    NavItem(
        _("Forecasts"),
        "hotspots:map",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="forecasts",
        group="analysis",
    ),
    NavItem(
        _("Patrols"),
        "patrols:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER}),
        key="patrols",
        group="operations",
    ),
    NavItem(
        _("Events"),
        "events:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="events",
        group="operations",
    ),
    NavItem(
        _("Civil defence"),
        "civildefence:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER}),
        key="civildefence",
        group="operations",
    ),
    NavItem(
        _("My duties"),
        "civildefence:my_duties",
        frozenset({Role.CIVIL_DEFENCE_MEMBER}),
        key="my_duties",
        group="operations",
    ),
    NavItem(
        _("Requests from the public"),
        "requests:staff_queue",
        frozenset({Role.COMMANDER, Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.FIRE_RESCUE}),
        key="requests",
        group="public",
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
        group="public",
    ),
    NavItem(
        _("Scam warnings"),
        "public:manage_list",
        frozenset({Role.COMMANDER, Role.PUBLIC_RELATIONS}),
        key="warnings",
        group="public",
    ),
    NavItem(
        _("Business dialogues"),
        "business:recommendation_list",
        frozenset(
            {Role.COMMANDER, Role.PUBLIC_RELATIONS, Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.FIRE_RESCUE}
        ),
        key="dialogues",
        group="public",
    ),
    NavItem(
        _("Reports"),
        "reports:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER}),
        key="compstat_reports",
        group="analysis",
    ),
    NavItem(
        _("Campaigns"),
        "campaigns:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="campaigns",
        group="operations",
    ),
    NavItem(
        _("Arrests and wanted persons"),
        "enforcement:arrest_list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="enforcement",
        group="operations",
    ),
    NavItem(
        _("Alerts"),
        "alerts:list",
        frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER}),
        key="alerts",
        group="analysis",
    ),
    NavItem(
        _("On patrol"),
        "field:home",
        frozenset(
            {Role.COMMANDER, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER, Role.CIVIL_DEFENCE_MEMBER}
        ),
        key="field",
        group="operations",
    ),
    NavItem(_("Audit log"), "audit:event_list", frozenset({Role.AUDITOR}), key="audit", group="system"),
    NavItem(_("Administration"), "admin:index", frozenset({Role.ADMINISTRATOR}), key="admin", group="system"),
    NavItem(
        _("Investigations"),
        "investigations:list",
        frozenset({Role.INVESTIGATOR, Role.COMMANDER, Role.AUDITOR}),
        key="investigations",
        group="investigations",
    ),
    NavItem(_("API"), "api:openapi-view", API_USERS, key="api", group="system"),
]


def _visible(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAVIGATION if not item.roles or user.has_role(*item.roles)]


def items_for(user) -> list[dict]:
    """The entries this user sees, in the order of the menu (each with its group's key)."""
    return [link for entry in menu_for(user) for link in entry["items"]]


def menu_for(user) -> list[dict]:
    """The menu of this user: top-level links (Home) first, then the groups in GROUPS order.
    Each entry is {"key", "label", "items", "keys"}; `items` are the links ({"label", "url",
    "key", "group"}); the template shows an entry with one item as that item's plain link."""
    visible = _visible(user)
    by_group: dict[str, list[dict]] = {}
    for item in visible:
        group = item.group
        link = {"label": item.label, "url": reverse(item.url_name), "key": item.key, "group": group}
        by_group.setdefault(group, []).append(link)
    menu = [{"key": link["key"], "label": link["label"], "items": [link]} for link in by_group.pop("", [])]
    for group in GROUPS:
        links = by_group.pop(group.key, [])
        if links:
            menu.append({"key": group.key, "label": group.label, "items": links})
    if by_group:
        raise ImproperlyConfigured(f"navigation entries in an unknown group: {sorted(by_group)}")
    for entry in menu:
        entry["keys"] = [link["key"] for link in entry["items"]]
    return menu

"""The main menu in groups (issue #13): which roles see which groups, a group of one shown as a
plain link, the current page marked, every link in the page under .mainnav (the sweep walks them)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from anninh.accounts.roles import Role
from anninh.testing.matrix import client_for
from anninh.testing.personas import make_user
from anninh.web.navigation import GROUPS, NAVIGATION, items_for, menu_for


def shape(user) -> dict[str, list[str]]:
    """{entry key: its links' keys} of the user's menu, in order."""
    return {entry["key"]: entry["keys"] for entry in menu_for(user)}


def test_every_entry_is_at_the_top_or_in_a_known_group():
    known = {group.key for group in GROUPS}
    assert {item.group for item in NAVIGATION} - {""} <= known
    assert [item.key for item in NAVIGATION if not item.group] == ["home"]
    assert len({item.key for item in NAVIGATION}) == len(NAVIGATION)


def test_the_commander_sees_home_then_the_groups_in_order(personas):
    menu = shape(personas["commander"])
    assert list(menu) == [
        "home",
        "records",
        "analysis",
        "operations",
        "investigations",
        "public",
        "reference",
        "system",
    ]
    assert menu["records"] == ["reports", "deadlines", "incidents", "cases"]
    assert menu["analysis"] == ["compstat", "analysis", "forecasts", "compstat_reports", "alerts"]
    assert {"patrols", "events", "campaigns", "civildefence", "enforcement", "field"} <= set(
        menu["operations"]
    )
    assert menu["public"] == ["requests", "requests_indicators", "warnings", "dialogues"]
    assert menu["reference"] == ["geo", "org"]
    assert menu["system"] == ["api"]
    # Some 25 links, seven groups: the top row has eight entries.
    assert len(items_for(personas["commander"])) >= 20


@pytest.mark.parametrize(
    ("persona", "groups"),
    [
        ("analyst", ["home", "records", "analysis", "operations", "public", "reference", "system"]),
        (
            "investigator",
            ["home", "records", "analysis", "operations", "investigations", "public", "reference", "system"],
        ),
        ("commune_officer", ["home", "records", "analysis", "operations", "public", "reference", "system"]),
        ("fire_rescue", ["home", "records", "public", "reference", "system"]),
        ("public_relations", ["home", "public", "reference"]),
        ("auditor", ["home", "investigations", "reference", "system"]),
        ("administrator", ["home", "reference", "system"]),
        ("civil_defence_leader", ["home", "operations", "reference"]),
        ("business", ["home"]),  # its pages are linked from its home page
        ("no_role", ["home"]),
    ],
)
def test_each_role_sees_the_groups_it_has_work_in(personas, persona, groups):
    assert list(shape(personas[persona])) == groups


def test_the_auditor_and_the_administrator_find_their_pages_under_system(personas):
    assert shape(personas["auditor"])["system"] == ["audit", "api"]
    assert shape(personas["administrator"])["system"] == ["admin", "api"]
    assert menu_for(personas["anonymous"]) == []


class Menu(HTMLParser):
    """The rendered menu: its groups (<details>), their summaries, and the links at the top."""

    def __init__(self):
        super().__init__()
        self.depth_in_nav = 0
        self.in_details: str | None = None
        self.groups: dict[str, list[str]] = {}
        self.current_groups: list[str] = []
        self.top_links: list[str] = []
        self.current_links: list[str] = []
        self.all_links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "nav" and "mainnav" in (a.get("class") or ""):
            self.depth_in_nav = 1
            return
        if not self.depth_in_nav:
            return
        if tag == "details":
            self.in_details = a["data-navgroup"]
            self.groups[self.in_details] = []
            if "current" in a["class"].split():
                self.current_groups.append(self.in_details)
        if tag == "a":
            self.all_links.append(a["href"])
            (self.groups[self.in_details] if self.in_details else self.top_links).append(a["href"])
            if a.get("aria-current") == "page":
                self.current_links.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "details":
            self.in_details = None
        if tag == "nav":
            self.depth_in_nav = 0


def rendered_menu(user, path="/") -> Menu:
    response = client_for(user).get(path)
    assert response.status_code == 200
    parser = Menu()
    parser.feed(response.content.decode())
    return parser


def test_every_link_of_the_menu_is_in_the_page_under_mainnav(personas):
    menu = rendered_menu(personas["commander"])
    expected = [link["url"] for link in items_for(personas["commander"])]
    assert menu.all_links == expected
    assert "/records/reports/" in menu.groups["records"]


def test_a_group_with_one_entry_for_a_role_is_a_plain_link(personas):
    # The commander sees one entry of "system" (API) and one of "investigations".
    menu = rendered_menu(personas["commander"])
    assert "system" not in menu.groups and "investigations" not in menu.groups
    assert menu.top_links == ["/", "/investigations/", "/api/docs"]
    # The auditor has two system pages: a group. The fire and rescue police see one record
    # page (incidents): a link, not a "Records" group of one.
    assert rendered_menu(personas["auditor"]).groups["system"] == ["/audit/", "/api/docs"]
    fire = rendered_menu(personas["fire_rescue"])
    assert "records" not in fire.groups and "/records/incidents/" in fire.top_links
    # A civil-defence member's two pages (duties, on patrol) stay a group.
    member = make_user("p_member", Role.CIVIL_DEFENCE_MEMBER, unit_code=None)
    assert rendered_menu(member).groups == {"operations": ["/civil-defence/my-duties/", "/field/"]}


def test_the_current_page_is_marked_on_its_link_and_its_group(personas):
    menu = rendered_menu(personas["commander"], "/records/deadlines/")
    assert menu.current_links == ["/records/deadlines/"]
    assert menu.current_groups == ["records"]
    html = client_for(personas["commander"]).get("/records/deadlines/").content.decode()
    summary = re.search(r'data-navgroup="records">\s*<summary>(.*?)</summary>', html, re.S).group(1)
    assert 'class="visually-hidden"' in summary  # "(current page)" for a screen reader
    # On a page in no group (Home), no group is marked.
    home = rendered_menu(personas["commander"], "/")
    assert home.current_links == ["/"] and home.current_groups == []


def test_the_menu_is_plain_html_that_works_without_javascript(personas):
    html = client_for(personas["analyst"]).get("/").content.decode()
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    assert nav.count("<details") == nav.count("<summary>") >= 4
    assert "<details open" not in nav  # closed until the user opens one
    assert "onclick" not in nav and "<script" not in nav

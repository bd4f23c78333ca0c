"""The one permission matrix: every page URL pattern and every API operation, for every
persona (anonymous, each role, the other commune's officer, a user without a role), against
records of commune A (tests/permissions/world.py). It fails when

- a URL pattern or API operation has no entry in ROUTES (a new route must say who may use it),
- ROUTES names a route that no longer exists,
- any persona gets another answer than the one written down, or a 403/404 without an audited
  refusal.

Each route runs inside a savepoint that is rolled back, so an unsafe request that gets
through changes nothing for the next one; the world is made once.
"""

from __future__ import annotations

import json

import pytest
from django.db import transaction

from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.matrix import LOGIN, PASSES, client_for, passes
from anninh.testing.personas import NAMES
from tests.permissions.routes import ADMIN_PAGES, PLAIN_404, ROUTES, admin_urls, all_keys, request_for
from tests.permissions.world import make_world


def test_every_route_has_an_entry_in_the_permission_matrix():
    keys = all_keys()
    missing = sorted(keys - set(ROUTES))
    stale = sorted(set(ROUTES) - keys)
    assert not missing, (
        "routes without a permission-matrix entry (tests/permissions/routes.py):\n  " + "\n  ".join(missing)
    )
    assert not stale, "permission-matrix entries for routes that no longer exist:\n  " + "\n  ".join(stale)


def test_every_entry_names_every_persona():
    for key, expected in ROUTES.items():
        assert set(expected) == set(NAMES), key


#: Who may see commune B's records (the personal ones only with personal data).
SEES_B = {"commander": True, "analyst": False, "other_commune_officer": True}
#: Object pages whose answer must show the record asked for (world["numbers"][...]).
SHOWS = {
    "GET records:incident_detail": "incident",
    "GET /api/records/incidents/{incident_id}": "incident",
    "GET records:report_detail": "report",
    "GET /api/records/reports/{report_id}": "report",
    "GET records:case_detail": "case",
    "GET /api/records/cases/{case_id}": "case",
    "GET records:person_detail": "person",
    "GET /api/records/persons/{person_id}": "person",
}


def _content_problems(key: str, name: str, response, world: dict) -> list[str]:
    """A 200 shows the record it was asked for, and nothing of commune B to whoever may not
    see it (the audit log's own pages excepted for auditors: they read every row's label)."""
    if response.status_code != 200 or getattr(response, "streaming", False):
        return []
    body = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        body = json.dumps(response.json(), ensure_ascii=False)
    problems = []
    if key in SHOWS:
        marker = world["numbers"][SHOWS[key]]
        if marker not in body:
            problems.append(f"{key} {name}: 200 without the record asked for ({marker})")
    if name == "auditor" and ("audit" in key or key.endswith("web:home")):
        return problems  # the audit log, and its feed on the auditor's home page
    for marker, personal in world["b_markers"]:
        allowed = SEES_B.get(name)
        if (allowed is None or (personal and not allowed)) and marker in body:
            problems.append(f"{key} {name}: shows {marker!r} of commune B")
    return problems


def _check(key: str, method: str, url: str, kwargs: dict, expected: dict, personas, world=None) -> list[str]:
    failures = []
    for name in NAMES:
        want = expected[name]
        user = personas[name]
        last_id = AuditEvent.objects.unrestricted().order_by("-id").values_list("id", flat=True).first() or 0
        with transaction.atomic():
            response = getattr(client_for(user), method.lower())(url, **kwargs)
            got = response.status_code
            if want == LOGIN:
                ok = got == 302 and "/accounts/login/" in response.get("Location", "")
            elif want == PASSES:
                ok = passes(response)
            else:
                ok = got == want
            if ok and user is not None and want in (403, 404) and not (want == 404 and key in PLAIN_404):
                refused = AuditEvent.objects.unrestricted().filter(
                    action=AuditAction.DENIED, actor_id=user.pk, id__gt=last_id
                )
                if not refused.exists():
                    failures.append(f"{key} {name}: {want} without an audited refusal")
            elif not ok:
                failures.append(f"{key} {name}: expected {want}, got {got}")
            if ok and world is not None:
                failures += _content_problems(key, name, response, world)
            transaction.set_rollback(True)
    return failures


@pytest.mark.django_db
def test_every_route_answers_every_persona_as_written(personas):
    world = make_world(personas)
    failures: list[str] = []
    for key in sorted(ROUTES):
        method, url, kwargs = request_for(key, world)
        failures += _check(key, method, url, kwargs, ROUTES[key], personas, world)
    assert not failures, f"{len(failures)} permission-matrix failures:\n  " + "\n  ".join(failures)


@pytest.mark.django_db
def test_every_admin_page_is_for_administrators_only(personas):
    failures: list[str] = []
    for url in admin_urls():
        failures += _check(f"GET {url}", "GET", url, {}, ADMIN_PAGES, personas)
    assert not failures, "\n  ".join(failures)

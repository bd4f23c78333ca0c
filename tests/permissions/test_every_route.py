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


def _check(key: str, method: str, url: str, kwargs: dict, expected: dict, personas) -> list[str]:
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
            transaction.set_rollback(True)
    return failures


@pytest.mark.django_db
def test_every_route_answers_every_persona_as_written(personas):
    world = make_world(personas)
    failures: list[str] = []
    for key in sorted(ROUTES):
        method, url, kwargs = request_for(key, world)
        failures += _check(key, method, url, kwargs, ROUTES[key], personas)
    assert not failures, f"{len(failures)} permission-matrix failures:\n  " + "\n  ".join(failures)


@pytest.mark.django_db
def test_every_admin_page_is_for_administrators_only(personas):
    failures: list[str] = []
    for url in admin_urls():
        failures += _check(f"GET {url}", "GET", url, {}, ADMIN_PAGES, personas)
    assert not failures, "\n  ".join(failures)

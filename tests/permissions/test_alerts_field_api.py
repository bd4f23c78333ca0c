"""The permission matrix of the alerts and field API (issue #11) on its own: the same entries
and checks as test_every_route (anonymous, each role, the other commune's officer, no role),
quick to run when only these operations change."""

from __future__ import annotations

import pytest

from tests.permissions.routes import API_ALERT_AND_FIELD_ROUTES, all_keys, request_for
from tests.permissions.test_every_route import _check
from tests.permissions.world import make_world


def test_every_alerts_and_field_operation_is_in_the_matrix():
    ours = {k for k in all_keys() if k.split(" ", 1)[1].startswith(("/api/alerts/", "/api/field/"))}
    assert ours == set(API_ALERT_AND_FIELD_ROUTES)


@pytest.mark.django_db
def test_the_alerts_and_field_api_answer_every_persona_as_written(personas):
    world = make_world(personas)
    failures: list[str] = []
    for key in sorted(API_ALERT_AND_FIELD_ROUTES):
        method, url, kwargs = request_for(key, world)
        failures += _check(key, method, url, kwargs, API_ALERT_AND_FIELD_ROUTES[key], personas, world)
    assert not failures, f"{len(failures)} failures:\n  " + "\n  ".join(failures)

"""Every 422 the API sends has the documented shape (accounts.api_schemas.ValidationErrorOut):
`{"detail": [{"type", "loc", "msg"}, ...]}` and nothing else: not pydantic's `ctx`, `input`
or `url`, which echo the caller's input and the validator's internals."""

from __future__ import annotations

import pytest
from django.test import Client

from anninh.accounts.roles import Role
from anninh.testing.personas import make_user

pytestmark = pytest.mark.django_db

JSON = "application/json"
CASES = [
    ("post", "/api/accounts/tokens", {"name": "x" * 101, "days": "abc", "scope": "root"}),
    ("post", "/api/records/incidents", {"kind": "volcano", "occurred_at": "not a date", "latitude": "north"}),
    ("post", "/api/records/reports", ["not", "an", "object"]),
    ("put", "/api/records/incidents/1", {"version": -1, "kind": 7}),
    ("post", "/api/records/cases", {"incident_id": "seven"}),
    ("get", "/api/geo/lookup?lat=abc&lon=1000", None),
    ("get", "/api/org/units?commune=abc&kind=planet", None),
    ("get", "/api/audit/events?username=" + "u" * 151, None),
    ("get", "/api/records/persons?limit=-5&offset=x", None),
    ("get", "/api/hotspots/forecasts?group=zzz&limit=100000", None),
]


@pytest.fixture
def client():
    user = make_user("errors_all_roles", *[r.value for r in Role], unit_code="PV01")
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("method", "url", "body"), CASES, ids=[f"{m} {u[:40]}" for m, u, _b in CASES])
def test_every_422_carries_exactly_type_loc_and_msg(client, method, url, body):
    kwargs = {"data": body, "content_type": JSON} if body is not None else {}
    response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 422, response.content
    payload = response.json()
    assert set(payload) == {"detail"}
    assert payload["detail"], "a 422 names at least one problem"
    for item in payload["detail"]:
        assert set(item) == {"type", "loc", "msg"}, item
        assert isinstance(item["type"], str) and isinstance(item["msg"], str)
        assert isinstance(item["loc"], list) and all(isinstance(p, str | int) for p in item["loc"])

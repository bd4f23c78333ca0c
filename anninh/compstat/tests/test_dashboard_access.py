"""Who sees the CompStat dashboard and its API, and what: every persona, every endpoint."""

from __future__ import annotations

import pytest

from anninh.compstat.tests.test_golden import DECEMBER, world  # noqa: F401
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db

READERS = {
    "commander": 200,
    "analyst": 200,
    "investigator": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
}
REFUSED = {"fire_rescue": 403, "public_relations": 403, "auditor": 403, "administrator": 403, "no_role": 403}


def test_dashboard_permission_matrix(personas):
    check_matrix("/compstat/", {"anonymous": LOGIN, **READERS, **REFUSED}, personas=personas)


def test_api_permission_matrix(personas):
    check_matrix(
        "/api/compstat/summary", {"anonymous": UNAUTHORIZED, **READERS, **REFUSED}, personas=personas
    )


def test_commune_officer_cannot_ask_for_another_commune(world):  # noqa: F811
    client = client_for(world["commune_officer"])
    response = client.get("/api/compstat/summary", {"period": "month", "at": "2025-12", "commune": COMMUNE_B})
    assert response.status_code == 422
    own = client.get("/api/compstat/summary", {"period": "month", "at": "2025-12", "commune": COMMUNE_A})
    assert own.status_code == 200 and own.json()["total"]["current"] == 3
    # On the page, another commune's code is ignored: the officer's own area is shown.
    page = client_for(world["commune_officer"]).get(
        "/compstat/", {"period": "month", "at": "2025-12", "commune": COMMUNE_B}
    )
    assert page.status_code == 200 and page.context["summary"].total.current == 3


def test_api_matches_the_selector(world):  # noqa: F811
    client = client_for(world["commander"])
    body = client.get("/api/compstat/summary", {"period": "month", "at": "2025-12"}).json()
    assert body["period"] == {
        "kind": "month",
        "first": "2025-12-01",
        "last": "2025-12-31",
        "label": DECEMBER.label,
    }
    assert (
        body["total"]["current"] == 4 and body["total"]["previous"] == 1 and body["total"]["last_year"] == 1
    )
    assert {r["key"]: r["current"] for r in body["by_group"]} == {"persons": 1, "property": 2, "fraud": 1}
    assert body["clearance_total"]["rate"] == 0.5
    assert body["fraud_losses_vnd"] == 50_000_000


@pytest.mark.parametrize(
    "params",
    [
        {"period": "month", "at": "2025-13"},
        {"period": "week", "at": "2025-W99"},
        {"period": "custom", "from": "01/01/2025"},
        {"period": "custom", "from": "31/12/2025", "to": "01/01/2025"},
        {"period": "custom", "from": "01/01/2020", "to": "01/01/2025"},
        {"period": "decade"},
        {"period": "28d", "at": "32/01/2025"},
    ],
)
def test_bad_periods_get_a_clear_error(personas, params):
    client = client_for(personas["commander"])
    response = client.get("/api/compstat/summary", params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"]
    page = client.get("/compstat/", params)
    assert page.status_code == 200 and page.context["period_error"]


def test_dashboard_renders_the_figures_in_vietnamese(world, settings):  # noqa: F811
    settings.LANGUAGE_CODE = "vi"
    client = client_for(world["commander"])
    response = client.get("/compstat/", {"period": "month", "at": "2025-12"}, HTTP_ACCEPT_LANGUAGE="vi")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tháng 12/2025" in html
    assert 'data-testid="total-crimes"' in html and "Phường Hồng Bàng" in html


def test_dashboard_query_count(world, django_assert_max_num_queries):  # noqa: F811
    client = client_for(world["commander"])
    with django_assert_max_num_queries(30):
        assert client.get("/compstat/", {"period": "ytd", "at": "31/12/2025"}).status_code == 200


def test_series_api_permissions_and_content(world):  # noqa: F811
    check_matrix("/api/compstat/series", {"anonymous": UNAUTHORIZED, **READERS, **REFUSED}, personas=world)
    body = (
        client_for(world["commander"])
        .get("/api/compstat/series", {"period": "month", "at": "2025-12"})
        .json()
    )
    weeks = {w["week"]: w["count"] for w in body["weeks"]}
    assert weeks["2025-W51"] == 2 and len(body["days"]) == 365
    own = (
        client_for(world["other_commune_officer"])
        .get("/api/compstat/series", {"period": "month", "at": "2025-12"})
        .json()
    )
    assert sum(n for _day, n in own["days"]) == 1  # commune B's one crime of 2025
    # The page itself leaves the series to this request.
    page = client_for(world["commander"]).get("/compstat/", {"period": "month", "at": "2025-12"})
    assert page.context["summary"].weeks == [] and "/api/compstat/series?" in page.content.decode()

"""Near-repeat and hot-spot pages and API: permissions, scoping, and results equal to the
pure library's on the same incidents."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from anninh.analytics.knox import knox_test
from anninh.geo.geometry import to_metres_xy
from anninh.records.models import Incident
from anninh.records.tests.test_incidents_factories import fast_passwords, local, point_in, record  # noqa: F401
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


@pytest.fixture
def thefts(personas):
    """Five thefts in commune A, three of them within 60 m and 2 days; two in commune B."""
    a, b = personas["commune_officer"], personas["other_commune_officer"]
    lat, lon = point_in(COMMUNE_A)
    day = local(2026, 3, 2, 10)
    for i, (dlat, days) in enumerate([(0, 0), (0.0003, 1), (0.0005, 2), (0.01, 40), (0.012, 90)]):
        record(
            a,
            point=(lat + dlat, lon),
            occurred_from=day + dt.timedelta(days=days),
            reported_at=day + dt.timedelta(days=days, hours=1 + i),
        )
    blat, blon = point_in(COMMUNE_B)
    for i in range(2):
        record(
            b,
            commune=COMMUNE_B,
            point=(blat, blon + i * 0.0004),
            occurred_from=day,
            reported_at=day + dt.timedelta(hours=2),
        )
    return personas


@pytest.mark.parametrize("url", ["/compstat/near-repeat/", "/compstat/hot-spots/"])
def test_page_permission_matrix(personas, url):
    check_matrix(url, {"anonymous": LOGIN, **READERS, **REFUSED}, personas=personas)


@pytest.mark.parametrize(
    "url", ["/api/compstat/analysis/near-repeat", "/api/compstat/analysis/hot-spots?unit=grid"]
)
def test_api_permission_matrix(personas, url):
    expected = {"anonymous": UNAUTHORIZED, **dict.fromkeys(READERS, 422), **REFUSED}  # 422: no incident yet
    check_matrix(url, expected, personas=personas, audit_denials=True)


def test_near_repeat_equals_the_library_on_the_visible_incidents(thefts):
    client = client_for(thefts["commune_officer"])
    params = {
        "distance_band": 100,
        "distance_bands": 2,
        "time_band": 7,
        "time_bands": 2,
        "permutations": 49,
        "seed": 3,
    }
    body = client.get("/api/compstat/analysis/near-repeat", params).json()
    # The officer of commune A sees the five thefts of A only.
    rows = list(
        Incident.objects.filter(commune_id=COMMUNE_A)
        .order_by("id")
        .values_list("lat", "lon", "occurred_from")
    )
    x, y = to_metres_xy([r[1] for r in rows], [r[0] for r in rows])
    t = np.array([r[2].timestamp() / 86400 for r in rows])
    expected = knox_test(x, y, t, [0, 100, 200], [0, 7, 14], n_permutations=49, seed=3)
    assert body["incidents"] == 5
    assert [c["observed"] for c in body["cells"]] == expected.observed.ravel().tolist()
    assert [c["p_value"] for c in body["cells"]] == pytest.approx(expected.p_value.ravel().tolist())
    # Three thefts within 60 m and 2 days: 3 pairs in the first cell.
    assert body["cells"][0]["observed"] == 3
    # The page starts from a default window when no filter is given; ask for the whole year.
    page = client.get("/compstat/near-repeat/", {**params, "run": "1", "date_from": "01/01/2026"})
    assert page.status_code == 200 and page.context["result"].result.observed[0, 0] == 3


def test_hot_spots_by_commune_for_the_city_and_grid_for_a_commune(thefts):
    commander = client_for(thefts["commander"])
    body = commander.get("/api/compstat/analysis/hot-spots", {"unit": "commune"}).json()
    assert body["unit"] == "commune" and body["units"] == 114 and body["incidents"] == 7
    officer = client_for(thefts["commune_officer"])
    refused = officer.get("/api/compstat/analysis/hot-spots", {"unit": "commune"})
    assert refused.status_code == 422  # comparing communes needs the whole city
    grid = officer.get("/api/compstat/analysis/hot-spots", {"unit": "grid", "cell": 250}).json()
    assert grid["incidents"] == 5  # only commune A's incidents
    page = officer.get("/compstat/hot-spots/", {"unit": "grid", "cell": 250, "run": "1"})
    assert page.status_code == 200 and page.context["result"].used == 5


@pytest.mark.parametrize(
    "params",
    [{"distance_band": 5}, {"permutations": 5000}, {"date_from": "31/02/2026"}, {"time_bands": 0}],
)
def test_bad_input_is_refused_clearly(thefts, params):
    response = client_for(thefts["commander"]).get("/api/compstat/analysis/near-repeat", params)
    assert response.status_code == 422


def test_query_counts(thefts, django_assert_max_num_queries):
    client = client_for(thefts["commander"])
    with django_assert_max_num_queries(15):
        near = client.get("/compstat/near-repeat/", {"run": "1", "date_from": "01/01/2026"})
    with django_assert_max_num_queries(15):
        hot = client.get("/compstat/hot-spots/", {"run": "1", "unit": "commune", "date_from": "01/01/2026"})
    # The counts are those of pages that ran the analysis, not of an error or a refusal.
    assert near.status_code == 200 and near.context["result"].used == 7
    assert hot.status_code == 200 and hot.context["result"].used == 7


def test_hot_spots_by_commune_default_to_smoothed_rates_per_10000_residents(thefts):
    from anninh.analytics.gistar import gi_star
    from anninh.analytics.rates import eb_rates
    from anninh.compstat import analysis
    from anninh.geo.models import Commune
    from anninh.records.selectors.incidents import IncidentFilters

    commander = thefts["commander"]
    h = analysis.hot_spots(viewer=commander, filters=IncidentFilters())
    assert h.measure == "rate"
    population = dict(Commune.objects.values_list("code", "population"))
    expected = eb_rates(h.counts, [population[c] for c in h.keys])
    assert np.allclose(h.values, expected)
    assert np.allclose(h.result.z, gi_star(expected, analysis._commune_weights()[1], fdr=True).z)
    counts = analysis.hot_spots(viewer=commander, filters=IncidentFilters(), measure="count")
    assert counts.measure == "count" and np.array_equal(counts.values, counts.counts)
    with pytest.raises(analysis.AnalysisError):
        analysis.hot_spots(viewer=commander, filters=IncidentFilters(), unit="grid", measure="rate")
    client = client_for(commander)
    body = client.get("/api/compstat/analysis/hot-spots", {"unit": "commune"}).json()
    assert body["measure"] == "rate"
    body = client.get("/api/compstat/analysis/hot-spots", {"unit": "commune", "measure": "count"}).json()
    assert body["measure"] == "count"
    page = client.get("/compstat/hot-spots/", {"run": "1", "unit": "commune"})
    assert page.status_code == 200 and page.context["result"].measure == "rate"
    assert "per 10,000 residents" in page.content.decode()

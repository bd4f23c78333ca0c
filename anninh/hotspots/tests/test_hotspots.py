"""Hotspot forecasts in the platform: stored with model version and inputs, idempotent, no
leakage, deterministic, scoped by commune; the report card equals the library's backtest."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from scipy.stats import poisson

from anninh.audit.models import AuditEvent
from anninh.compstat.periods import Period
from anninh.forecast import run_backtest
from anninh.forecast.backtest import hindsight_ceiling, weekly_origins
from anninh.forecast.history import day_number
from anninh.geo import lookup
from anninh.hotspots import engine, services
from anninh.hotspots.models import Forecast, ReportCard
from anninh.records.tests.test_incidents_factories import fast_passwords, local, point_in, record  # noqa: F401
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db
WEEK = Period.week(2026, 10)  # 02/03/2026 to 08/03/2026


@pytest.fixture
def crimes(personas):
    """90 thefts over the 22 weeks before the week: most at two corners of commune A, some in B."""
    a, b = personas["commune_officer"], personas["other_commune_officer"]
    rng = np.random.default_rng(5)
    alat, alon = point_in(COMMUNE_A)
    blat, blon = point_in(COMMUNE_B)
    start = local(2025, 10, 1, 10)
    for i in range(90):
        when = start + dt.timedelta(days=int(rng.integers(0, 150)), hours=int(rng.integers(0, 12)))
        if i % 3 == 2:
            record(
                b,
                commune=COMMUNE_B,
                point=(blat + rng.normal(0, 0.0005), blon + rng.normal(0, 0.0005)),
                occurred_from=when,
                reported_at=when + dt.timedelta(hours=1),
            )
        else:
            corner = (0.0, 0.0) if i % 2 else (0.004, 0.0)
            record(
                a,
                point=(alat + corner[0] + rng.normal(0, 0.0004), alon + corner[1] + rng.normal(0, 0.0004)),
                occurred_from=when,
                reported_at=when + dt.timedelta(hours=1),
            )
    return personas


def test_forecast_is_stored_with_version_inputs_and_audit(crimes):
    fc, created = services.forecast_create(actor=crimes["analyst"], week=WEEK)
    assert created and fc.model_version == engine.MODEL_VERSION and fc.inputs_count == 90
    assert len(fc.inputs_digest) == 64 and fc.params["training_weeks"] == engine.TRAINING_WEEKS
    cells = list(fc.cells.order_by("rank"))
    k = fc.cells.filter(rank__lte=engine.MAX_TOP).count()
    assert [c.rank for c in cells[:k]] == list(range(1, k + 1))  # the city's top cells
    # Besides them, every commune keeps its own best cells, for its patrol plans.
    per_commune = {}
    for c in cells:
        per_commune[c.commune_id] = per_commune.get(c.commune_id, 0) + 1
    assert len(per_commune) >= 100 and min(per_commune.values()) >= 1
    # 90 % predictive interval of the count (integers), around the expectation.
    assert all(c.expected_low <= min(c.expected, c.expected_high) for c in cells)
    assert all(c.expected >= 0 for c in cells)
    expected = [c.expected for c in cells]
    assert expected == sorted(expected, reverse=True)
    top = cells[0]
    assert top.commune_id == lookup.commune_at(top.lat, top.lon) == COMMUNE_A  # the busiest corner
    assert AuditEvent.objects.filter(
        action="create", object_type__icontains="forecast", object_id=str(fc.pk)
    ).exists()
    again, created_again = services.forecast_create(actor=crimes["commander"], week=WEEK)
    assert not created_again and again.pk == fc.pk


def test_no_leakage_incidents_after_the_origin_change_nothing(crimes):
    fc, _ = services.forecast_create(actor=None, week=WEEK)
    before = list(fc.cells.values_list("cell_index", "expected"))
    when = local(2026, 3, 3, 9)  # inside the forecast week
    for _i in range(5):
        record(
            crimes["other_commune_officer"],
            commune=COMMUNE_B,
            point=point_in(COMMUNE_B),
            occurred_from=when,
            reported_at=when + dt.timedelta(hours=1),
        )
    same, created = services.forecast_create(actor=None, week=WEEK)
    assert not created and same.pk == fc.pk  # same inputs digest: the new crimes were not read
    Forecast.objects.all().delete()
    redone, created = services.forecast_create(actor=None, week=WEEK)
    assert created and list(redone.cells.values_list("cell_index", "expected")) == before  # deterministic


def test_shift_forecast_splits_the_week(crimes):
    week, _ = services.forecast_create(actor=None, week=WEEK)
    shifts = {
        s: services.forecast_create(actor=None, week=WEEK, horizon="shift", shift=s)[0] for s in engine.SHIFTS
    }
    top = week.cells.get(rank=1)
    parts = sum(
        f.cells.filter(cell_index=top.cell_index).values_list("expected", flat=True).first() or 0
        for f in shifts.values()
    )
    # Shares are shrunk separately per shift, so they sum to about one, not exactly.
    assert parts == pytest.approx(top.expected, rel=0.25)
    with pytest.raises(services.ForecastError):
        services.forecast_create(actor=None, week=WEEK, horizon="shift", shift="lunch")


def test_report_card_equals_the_library_backtest(crimes):
    card = services.report_card_create(actor=crimes["commander"], as_of=WEEK.first, weeks=6)
    cg = engine.city_grid()
    events = engine.load_events(offence_group="", before=WEEK.start)
    run = run_backtest(
        engine.history_of(events, cg),
        [engine.MODEL_NAME, engine.BASELINE_NAME, "last-week"],
        day_number(WEEK.first) - 42,
        6,
        engine.TRAINING_WEEKS,
        coverages=(0.01, 0.05),
        progress=False,
    )
    for name, result in run.items():
        assert card.results["models"][name]["0.01"]["pai"] == pytest.approx(result.evaluation.pai(0.01))
    # Six weeks of this fixture score fewer than 30 crimes: too few for a verdict, whatever the
    # difference says.
    assert card.results["scored_incidents"] < 30 and card.verdict == "too_few"
    assert card.model_version == engine.MODEL_VERSION
    # The ceiling: the scored weeks ranked by each cell's rate with hindsight.
    ceiling = hindsight_ceiling(
        engine.history_of(events, cg), weekly_origins(day_number(WEEK.first) - 42, 6), (0.01, 0.05)
    )
    for cov in ("0.01", "0.05"):
        assert card.results["ceiling"][cov]["pai"] == pytest.approx(ceiling.pai(float(cov)))
    page = client_for(crimes["commander"]).get("/hotspots/accuracy/").content.decode()
    assert 'data-testid="card-ceiling"' in page and 'data-testid="card-ceiling-explained"' in page


@pytest.mark.parametrize(
    ("ci", "verdict"), [((0.1, 0.3), "better"), ((-0.3, -0.1), "worse"), ((-0.1, 0.2), "same")]
)
def test_the_verdict_follows_the_confidence_interval_of_the_difference(crimes, monkeypatch, ci, verdict):
    def fake_compare(ours, baseline, coverage, n_boot):
        return {"ci": list(ci), "difference": sum(ci) / 2}

    monkeypatch.setattr(services, "compare", fake_compare)
    card = services.report_card_create(actor=crimes["commander"], as_of=WEEK.first, weeks=16)
    assert card.results["scored_incidents"] >= 30  # enough crimes for a verdict
    assert card.verdict == verdict
    assert card.results["difference"]["0.01"]["ci"] == list(ci)
    event = AuditEvent.objects.filter(object_type="hotspots.reportcard").latest("id")
    assert event.after["verdict"] == verdict


def test_the_report_card_reads_in_vietnamese_with_unambiguous_intervals(crimes, monkeypatch, settings):
    """Issue 13: "PAI 1% [95% CI]" and "(paired bootstrap over weeks)" were English on a
    Vietnamese page, "[2,4, 3,9]" reads as four numbers with comma decimals, and a repository
    path meant nothing to a user."""
    monkeypatch.setattr(
        services, "compare", lambda ours, baseline, coverage, n_boot: {"ci": [0.12, 0.34], "difference": 0.23}
    )
    services.report_card_create(actor=crimes["commander"], as_of=WEEK.first, weeks=16)
    settings.LANGUAGE_CODE = "vi"
    page = client_for(crimes["commander"]).get("/hotspots/accuracy/").content.decode()
    assert "PAI 1% (khoảng tin cậy 95%)" in page
    assert "[0,12; 0,34]" in page  # the difference's interval, Vietnamese decimals, a semicolon between
    assert re.search(r"\[\d+,\d; \d+,\d\]", page)  # each model's PAI interval
    assert "bootstrap" not in page and "CI]" not in page and "benchmarks/" not in page


def test_a_report_card_without_enough_crimes_says_so(personas):
    card = services.report_card_create(actor=personas["commander"], as_of=WEEK.first, weeks=6)
    assert card.verdict == "too_few" and card.results["models"] == {} and card.inputs_count == 0


@pytest.mark.parametrize(
    ("as_of", "weeks"), [(WEEK.first + dt.timedelta(days=1), 12), (WEEK.first, 3), (WEEK.first, 53)]
)
def test_a_report_card_needs_a_monday_and_4_to_52_weeks(personas, as_of, weeks):
    with pytest.raises(services.ForecastError):
        services.report_card_create(actor=personas["commander"], as_of=as_of, weeks=weeks)
    assert not ReportCard.objects.exists()


def test_a_forecast_needs_a_week_a_known_group_and_20_crimes(crimes):
    with pytest.raises(services.ForecastError):
        services.forecast_create(actor=None, week=Period.month(2026, 3))
    with pytest.raises(services.ForecastError):
        services.forecast_create(actor=None, week=WEEK, offence_group="no-such-group")
    with pytest.raises(services.ForecastError) as exc:  # no fraud at all in the fixture
        services.forecast_create(actor=None, week=WEEK, offence_group="fraud")
    assert "20" in str(exc.value)
    assert not Forecast.objects.exists()


def test_every_cell_has_a_coherent_interval_rank_and_risk(crimes):
    fc, _ = services.forecast_create(actor=None, week=WEEK)
    cells = list(fc.cells.all())
    ranks = [c.rank for c in cells]
    assert len(set(ranks)) == len(ranks) and min(ranks) == 1
    for c in cells:
        # The 90 % predictive interval of a Poisson count with that mean (whole crimes).
        assert (c.expected_low, c.expected_high) == (
            poisson.ppf(0.05, c.expected),
            poisson.ppf(0.95, c.expected),
        )
        assert 0 <= c.expected_low <= c.expected_high
        assert c.commune_id
    by_rank = sorted(cells, key=lambda c: c.rank)
    top = by_rank[0]
    # The first cell is the highest expectation, near one of commune A's two corners.
    assert top.expected == max(c.expected for c in cells) and top.commune_id == COMMUNE_A
    ratios = {round(c.risk / c.expected, 9) for c in cells if c.expected > 0}
    assert len(ratios) == 1  # risk is expected over the same city mean for every cell


def test_refusals(crimes):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.forecast_create(actor=crimes["commune_officer"], week=WEEK)
    with pytest.raises(services.ForecastError):
        services.forecast_create(actor=None, week=Period.month(2026, 3))
    with pytest.raises(services.ForecastError):
        services.forecast_create(actor=None, week=Period.week(2020, 10))  # no crime before


def test_permission_matrix_and_scoping(crimes):
    fc, _ = services.forecast_create(actor=None, week=WEEK)
    services.report_card_create(actor=None, as_of=WEEK.first, weeks=4)
    readers = {
        "commander": 200,
        "analyst": 200,
        "investigator": 200,
        "commune_officer": 200,
        "other_commune_officer": 200,
    }
    refused = {
        "fire_rescue": 403,
        "public_relations": 403,
        "auditor": 403,
        "administrator": 403,
        "no_role": 403,
    }
    for url in ("/hotspots/", f"/hotspots/{fc.pk}/", "/hotspots/accuracy/"):
        check_matrix(url, {"anonymous": LOGIN, **readers, **refused}, personas=crimes)
    for url in (
        "/api/hotspots/forecasts",
        f"/api/hotspots/forecasts/{fc.pk}/cells.geojson",
        "/api/hotspots/report-card",
    ):
        check_matrix(url, {"anonymous": UNAUTHORIZED, **readers, **refused}, personas=crimes)
    writers = {"commander": 302, "analyst": 302}
    others = dict.fromkeys(("investigator", "commune_officer", "other_commune_officer", *refused), 403)
    check_matrix(
        "/hotspots/make/",
        {"anonymous": LOGIN, **writers, **others},
        personas=crimes,
        method="post",
        data={"week": "2026-W10"},
    )
    # A commune officer sees only the cells of their commune.
    own = client_for(crimes["commune_officer"]).get(f"/api/hotspots/forecasts/{fc.pk}/cells.geojson").json()
    assert own["features"] and {f["properties"]["commune"] for f in own["features"]} == {COMMUNE_A}
    city = client_for(crimes["commander"]).get(f"/api/hotspots/forecasts/{fc.pk}/cells.geojson").json()
    assert len(city["features"]) == fc.cells.count() > len(own["features"])


def test_map_page_query_count(crimes, django_assert_max_num_queries):
    services.forecast_create(actor=None, week=WEEK)
    client = client_for(crimes["commander"])
    with django_assert_max_num_queries(15):
        response = client.get("/hotspots/", {"group": ""})
    assert response.status_code == 200


def test_command_and_report_card_page(crimes):
    from django.core.management import call_command

    call_command("hotspots_forecast", "--week", "2026-W10", "--shifts")
    assert Forecast.objects.count() == 4
    assert set(Forecast.objects.values_list("horizon", "shift")) == {
        ("week", ""),
        *(("shift", s) for s in engine.SHIFTS),
    }
    client = client_for(crimes["analyst"])
    response = client.post("/hotspots/accuracy/make/", {"group": ""})
    assert response.status_code == 302 and ReportCard.objects.count() == 1
    card = ReportCard.objects.get()
    page = client.get(response["Location"])
    assert page.status_code == 200 and page.context["card"] == card
    html = page.content.decode()
    assert 'data-testid="verdict"' in html and card.model_version in html
    assert [r["name"] for r in page.context["rows"]] == (
        [engine.MODEL_NAME, engine.BASELINE_NAME, "last-week", "ceiling"] if card.results["models"] else []
    )


def test_the_map_page_lists_the_top_20_cells_and_folds_the_next_ones(crimes):
    fc, _ = services.forecast_create(actor=None, week=WEEK)
    page = client_for(crimes["commander"]).get("/hotspots/", {"group": ""}).content.decode()
    head, _sep, rest = page.partition('data-testid="forecast-cells-more"')
    shown = fc.cells.filter(rank__lte=100).count()
    assert shown > 20  # the fixture's forecast has enough cells to fold some
    ranks = [int(r) for r in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert ranks == list(range(1, shown + 1))
    assert head.count("<tr><td>") == 20
    assert rest.count("<tr><td>") == shown - 20
    assert f"{shown - 20} more cells" in page

"""The investigator's pages on an analysed synthetic case: totals open their lists, the money
flow, rings and roles, timeline, link chart; query budgets on list pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anninh.investigations.models import Entity
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


def test_the_overview_shows_the_totals_and_each_opens_its_list(personas, investigation, analysed):
    case, run = analysed
    client = client_for(personas["investigator"])
    page = client.get(reverse("investigations:detail", args=[investigation.pk])).content.decode()
    assert 'data-testid="total-victims"' in page
    victims = client.get(reverse("investigations:total", args=[investigation.pk, "distinct_victims"]))
    body = victims.content.decode()
    assert body.count(f"investigations/{investigation.pk}/entities/") >= case.truth.distinct_victims
    # A province of the breakdown opens its own victims.
    row = run.results["by_province"][0]
    narrowed = client.get(
        reverse("investigations:total", args=[investigation.pk, "distinct_victims"]),
        {"province": row["province"]},
    )
    assert narrowed.status_code == 200 and narrowed.context["page"].paginator.count == len(row["ids"])


def test_the_money_flow_rings_roles_timeline_and_chart_render(personas, investigation, analysed):
    client = client_for(personas["investigator"])
    for name in ("money_flow", "network", "timeline"):
        response = client.get(reverse(f"investigations:{name}", args=[investigation.pk]))
        assert response.status_code == 200, name
    assert (
        'data-testid="money-flow"'
        in client.get(reverse("investigations:money_flow", args=[investigation.pk])).content.decode()
    )
    collector = Entity.objects.unrestricted().filter(investigation=investigation, role="collector").first()
    assert collector is not None
    data = client.get(
        reverse("investigations:chart_data", args=[investigation.pk]), {"entity": collector.pk}
    ).json()
    assert any(n["id"] == collector.pk for n in data["nodes"]) and data["links"]
    assert len(data["nodes"]) <= 300


@pytest.mark.parametrize("name", ["list", "network", "timeline", "review"])
def test_list_pages_keep_to_a_query_budget(personas, investigation, analysed, name):
    client = client_for(personas["investigator"])
    url = (
        reverse("investigations:list")
        if name == "list"
        else reverse(f"investigations:{name}", args=[investigation.pk])
    )
    client.get(url)  # warm caches (sessions, units)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    assert len(queries) <= 25, [q["sql"][:120] for q in queries]


def test_the_untraced_remainder_is_shown_beside_the_money_per_cash_out_point(
    personas, investigation, analysed
):
    """Proportional tracing with a smallest piece (``--min-amount``) stops some money short of
    the cash-out points: the overview says how much, why, and that the figures are lower bounds."""
    from anninh.investigations.analysis import analysis_run
    from anninh.web.templatetags.anninh_tags import vnd

    client = client_for(personas["investigator"])
    url = reverse("investigations:detail", args=[investigation.pk])
    cut = analysis_run(actor=personas["investigator"], investigation=investigation, min_amount=100_000)
    trace = cut.results["trace"]
    assert trace["remainder"] > 0
    page = client.get(url).content.decode()
    block = page[page.index('data-testid="trace-remainder"') :]
    block = block[: block.index("</div>")]
    assert vnd(trace["remainder"]) in block and vnd(trace["paid"]) in block
    assert vnd(trace["by_kind"]["limit_amount"]) in block and vnd(100_000) in block
    # Without a smallest piece and without the limits reached, the page says the figures are exact.
    exact = analysis_run(actor=personas["investigator"], investigation=investigation, max_hops=1000)
    assert exact.results["trace"]["remainder"] == 0
    page = client.get(url).content.decode()
    block = page[page.index('data-testid="trace-remainder"') :]
    block = block[: block.index("</div>")]
    assert "<table" not in block and "<strong>" not in block and vnd(trace["remainder"]) not in block

"""The investigations API on an analysed case: totals with their ids, search, entity, graph."""

from __future__ import annotations

import pytest

from anninh.investigations.models import Entity
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


def test_the_api_answers_the_same_totals_and_finds_a_victim(personas, investigation, analysed):
    case, _run = analysed
    client = client_for(personas["investigator"])
    base = f"/api/investigations/{investigation.pk}"
    totals = client.get(f"{base}/totals").json()
    assert totals["totals"]["lost"]["value"] == pytest.approx(float(case.truth.money_lost.sum()))
    assert totals["totals"]["distinct_victims"]["value"] == case.truth.distinct_victims
    victim = Entity.objects.unrestricted().get(pk=totals["totals"]["distinct_victims"]["ids"][0])
    found = client.get(f"{base}/entities", {"q": victim.name_key.split()[-1]}).json()
    assert victim.pk in [e["id"] for e in found]
    detail = client.get(f"{base}/entities/{victim.pk}").json()
    assert detail["sources"] and detail["sources"][0]["file"] == "don-to-giac.csv"
    graph = client.get(f"{base}/graph", {"entity": victim.pk, "depth": 2}).json()
    assert any(n["role"] == "collector" for n in graph["nodes"])


def test_an_entity_of_another_investigation_is_404(personas, investigation, analysed):
    from anninh.investigations import services

    other = services.investigation_create(
        actor=personas["investigator"], code="X-2", title="x", kind="vu_an",
        unit=personas["investigator"].unit, opened_on=investigation.opened_on,
    )  # fmt: skip
    entity = Entity.objects.unrestricted().filter(investigation=investigation).first()
    response = client_for(personas["investigator"]).get(
        f"/api/investigations/{other.pk}/entities/{entity.pk}"
    )
    assert response.status_code == 404

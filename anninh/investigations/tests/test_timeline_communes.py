"""The timeline's payments by day and the victims by commune of Hai Phong: the figures the
charts draw equal the links and the totals' lists they come from."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from anninh.investigations.models import Entity, Link
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def test_payments_by_day_equal_the_payment_links(personas, investigation, analysed):
    response = client_for(personas["investigator"]).get(
        reverse("investigations:timeline", args=[investigation.pk])
    )
    assert response.status_code == 200
    days = response.context["days"]
    expected: dict[str, list] = defaultdict(lambda: [0, 0.0, 0, 0.0])
    for link in Link.objects.unrestricted().filter(
        investigation=investigation, kind="payment", occurred_at__isnull=False
    ):
        row = expected[link.occurred_at.astimezone(LOCAL).date().isoformat()]
        offset = 2 if link.data.get("complaint") else 0
        row[offset] += 1
        if link.currency in ("VND", ""):
            row[offset + 1] += float(link.amount)
    got = {
        d["day"]: [d["payments"], d["payments_amount"], d["complaints"], d["complaints_amount"]] for d in days
    }
    assert set(got) == set(expected)
    for day, row in expected.items():
        assert got[day] == pytest.approx(row), day
    assert sum(d["complaints"] for d in days) > 0 and sum(d["payments"] for d in days) > 0
    # The chart's data is on the page, and the table is there without JavaScript.
    html = response.content.decode()
    assert 'id="timeline-data"' in html and 'data-testid="timeline-days-table"' in html
    assert [dt.date.fromisoformat(d["day"]) for d in days] == sorted(
        dt.date.fromisoformat(d["day"]) for d in days
    )


@pytest.fixture
def hai_phong_case(personas, investigation):
    """A generated case with five victims living in Hai Phong's wards and communes."""
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.synthetic import synthetic_import

    _case, results = synthetic_import(
        actor=personas["investigator"], investigation=investigation, victims=40, seed=1
    )
    assert all(r.ok for r in results)
    return analysis_run(actor=personas["investigator"], investigation=investigation)


def test_victims_by_commune_equal_the_lists_behind_them(personas, investigation, hai_phong_case):
    results = hai_phong_case.results
    rows = results["by_commune"]
    assert rows, "the generator puts victims in Hai Phong's communes"
    # Every Hai Phong victim whose commune is a real ward or commune is counted once.
    per_victim = {r["victim"]: r for r in results["per_victim"]}
    victims = Entity.objects.unrestricted().in_bulk(list(per_victim))
    from anninh.network.generator import HAI_PHONG_COMMUNES

    known = {name: code for code, name in HAI_PHONG_COMMUNES}
    expected: dict[str, list[int]] = defaultdict(list)
    for pk, e in victims.items():
        if e.province == "31" and e.data.get("commune") in known:
            expected[known[e.data["commune"]]].append(pk)
    assert {r["commune"]: sorted(r["ids"]) for r in rows} == {k: sorted(v) for k, v in expected.items()}
    for r in rows:
        assert r["victims"] == len(r["ids"])
        assert r["lost"] == pytest.approx(sum(per_victim[i]["lost"] for i in r["ids"]))
    # No more than the province's own count.
    hai_phong = next(p for p in results["by_province"] if p["province"] == "31")
    assert sum(r["victims"] for r in rows) <= hai_phong["victims"]

    client = client_for(personas["investigator"])
    page = client.get(reverse("investigations:detail", args=[investigation.pk]))
    assert [r["commune"] for r in page.context["commune_rows"]] == [r["commune"] for r in rows]
    assert 'data-testid="commune-map"' in page.content.decode()
    # Each commune opens the list of its victims.
    first = rows[0]
    listed = client.get(
        reverse("investigations:total", args=[investigation.pk, "distinct_victims"]),
        {"commune": first["commune"]},
    )
    assert listed.status_code == 200
    assert sorted(e.pk for e in listed.context["rows"]) == sorted(first["ids"])
    assert listed.context["narrowed"] == first["label"]

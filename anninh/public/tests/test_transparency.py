"""The public transparency page: delayed to the last complete month, small counts suppressed
(anninh.lib.disclosure), no personal data, the warnings in force."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.test import Client

from anninh.compstat.models import IncidentMonth
from anninh.org.models import Unit
from anninh.public.tests.factories import publish_warning
from anninh.public.transparency import last_complete_month, transparency

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 6)


@pytest.fixture(autouse=True)
def _no_cache():
    cache.clear()
    yield
    cache.clear()


def _count(commune: str, month: dt.date, n: int, kind: str = "crime") -> None:
    unit = Unit.objects.active().get(code=f"CA{commune}")
    IncidentMonth.objects.create(month=month, commune_id=commune, responsible_unit=unit, kind=kind, n=n)


def test_the_last_month_published_is_the_last_complete_one():
    assert last_complete_month(dt.date(2026, 12, 6)) == dt.date(2026, 11, 1)
    assert last_complete_month(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)


def test_the_month_in_progress_is_never_counted():
    _count("11311", dt.date(2026, 12, 1), 50)
    _count("11311", dt.date(2026, 11, 1), 7)
    t = transparency(figure="crime", today=TODAY)
    assert t.months[-1] == dt.date(2026, 11, 1)
    row = next(r for r in t.rows if r.code == "11311")
    assert row.cells[-1] == 7 and 50 not in row.cells


def test_small_counts_are_shown_as_less_than_three_with_a_complementary_cell():
    _count("11311", dt.date(2026, 11, 1), 1)
    _count("11311", dt.date(2026, 10, 1), 8)
    _count("11329", dt.date(2026, 11, 1), 5)
    t = transparency(figure="crime", today=TODAY)
    row = next(r for r in t.rows if r.code == "11311")
    assert row.cells[-1] == "<3"
    assert row.cells[-2] == "…"  # the 8 is hidden too, else the total 9 would give the 1 back
    assert row.total == 9
    other = next(r for r in t.rows if r.code == "11329")
    assert other.cells[-1] == "…"  # column November: 6 in all, minus 5 would give the 1 back


def test_fires_count_fires_and_explosions_only():
    _count("11311", dt.date(2026, 11, 1), 4, kind="fire")
    _count("11311", dt.date(2026, 11, 1), 3, kind="explosion")
    _count("11311", dt.date(2026, 11, 1), 9, kind="traffic")
    t = transparency(figure="fire", today=TODAY)
    assert next(r for r in t.rows if r.code == "11311").cells[-1] == 7


def test_the_page_is_public_shows_the_warnings_in_force_and_no_personal_data(personas):
    warning = publish_warning(drafter=personas["public_relations"], approver=personas["commander"])
    response = Client().get("/transparency/")
    body = response.content.decode()
    assert response.status_code == 200
    assert warning.title_en in body or warning.title_vi in body
    assert "<3" in body or "&lt;3" in body  # the rule is written on the page
    for personal in ("P_Commander", "P_Public_Relations", "p_commander"):
        assert personal not in body
    assert "<script" not in body

"""The near-repeat and hot-spot tools start from a sensible window (issue #13 item 10): not
every incident of every kind since records began, which the tools then refused as too many."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import QueryDict
from django.urls import reverse

from anninh.compstat.views_analysis import HOT_SPOT_DEFAULTS, NEAR_REPEAT_DEFAULTS, with_default_window
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 12, 6, 5, 0, tzinfo=dt.UTC)  # 12:00 in Hai Phong


@time_machine.travel(NOON, tick=False)
def test_no_filter_gives_the_default_window():
    params = with_default_window(QueryDict("run=1"), kind="crime", offence_group="property", days=180)
    assert params["kind"] == "crime" and params["offence_group"] == "property"
    assert params["date_from"] == "09/06/2026" and params["date_to"] == "06/12/2026"
    assert params["run"] == "1"


@pytest.mark.parametrize("query", ["commune=11311", "date_from=01/01/2025", "kind=fire", "q=xe+máy"])
def test_any_filter_keeps_what_the_user_asked_for(query):
    params = QueryDict(query)
    assert with_default_window(params, kind="crime", offence_group="property", days=180) is params


def test_the_defaults_are_a_kind_and_a_recent_window():
    assert NEAR_REPEAT_DEFAULTS == {"kind": "crime", "offence_group": "property", "days": 180}
    assert HOT_SPOT_DEFAULTS == {"kind": "crime", "offence_group": "", "days": 90}


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize("name", ["compstat:near_repeat", "compstat:hot_spots"])
def test_the_pages_show_the_default_window_in_the_form(personas, name):
    response = client_for(personas["analyst"]).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="date_to" value="06/12/2026"' in html
    assert '<option value="crime" selected>' in html
    assert "filter-default" in html
    asked = client_for(personas["analyst"]).get(reverse(name), {"date_from": "01/11/2026"})
    assert "filter-default" not in asked.content.decode()
    assert 'name="date_to" value=""' in asked.content.decode()

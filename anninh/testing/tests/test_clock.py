"""The test clock of conftest.py (ANNINH_TEST_CLOCK): CI's run at 00:30 on New Year's Day."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from anninh.lib.dates import HCM_TZ
from conftest import clock_from


def test_new_year_is_half_past_midnight_on_the_next_first_of_january_in_hai_phong():
    when = clock_from("new-year")
    assert when.astimezone(HCM_TZ).timetuple()[1:5] == (1, 1, 0, 30)
    assert when > timezone.now()  # after every date a test wrote down as past
    assert when.astimezone(dt.UTC).hour == 17  # 17:30 UTC on 31 December


def test_an_iso_instant_is_taken_as_it_is():
    assert clock_from("2026-12-31T17:30:00Z") == dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)


@pytest.mark.skipif("ANNINH_TEST_CLOCK" not in os.environ, reason="only in CI's run at a set clock")
def test_the_suite_runs_at_the_set_clock():
    now = timezone.now()
    if os.environ["ANNINH_TEST_CLOCK"] == "new-year":
        local = now.astimezone(HCM_TZ)
        assert (local.month, local.day, local.hour) == (1, 1, 0) and 30 <= local.minute < 35
    else:
        assert dt.timedelta(0) <= now - clock_from(os.environ["ANNINH_TEST_CLOCK"]) < dt.timedelta(minutes=5)

"""Tests for anninh.lib.dates: day-first dates, Vietnamese time, Monday weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.lib.dates import (
    HCM_TZ,
    MAX_DATE,
    MIN_DATE,
    check_date_range,
    format_date_vn,
    format_datetime_vn,
    iso_week_label,
    local_date,
    local_day_bounds,
    parse_date_vn,
    parse_iso_week,
    week_start,
)
from anninh.lib.errors import InvalidDate, ValidationProblem

# Dates for which the next day and the UTC conversion both exist.
modern_dates = st.dates(min_value=date(1900, 1, 2), max_value=date(9999, 12, 29))
all_dates = st.dates()
accepted_dates = st.dates(min_value=MIN_DATE, max_value=MAX_DATE)
aware_datetimes = st.datetimes(
    min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)


# --- parse_date_vn ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "05/11/2026",
        "5/11/2026",
        "05-11-2026",
        "5-11-2026",
        "05.11.2026",
        "2026-11-05",
        " 05/11/2026 ",
    ],
)
def test_parse_date_vn_reads_day_before_month(text: str) -> None:
    assert parse_date_vn(text) == date(2026, 11, 5)


def test_parse_date_vn_reads_single_digit_day_and_month() -> None:
    assert parse_date_vn("1/2/2026") == date(2026, 2, 1)


def test_parse_date_vn_never_reads_month_first_even_when_it_would_fit() -> None:
    # 11/25/2026 is a valid US date; a Vietnamese form must refuse it, not guess.
    with pytest.raises(InvalidDate) as excinfo:
        parse_date_vn("11/25/2026")
    assert excinfo.value.code == "date.invalid"


@pytest.mark.parametrize("text", ["31/02/2026", "29/02/2025", "00/01/2026", "32/01/2026", "2026-13-01"])
def test_parse_date_vn_rejects_days_that_do_not_exist(text: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_date_vn(text)
    assert excinfo.value.code == "date.invalid"


def test_parse_date_vn_accepts_leap_day() -> None:
    assert parse_date_vn("29/02/2028") == date(2028, 2, 29)


@pytest.mark.parametrize(
    "text",
    [
        "05/11/26",  # two-digit year: 1926 or 2026?
        "05/11-2026",  # mixed separators
        "2026/11/05",
        "20261105",
        "5 tháng 11 2026",
        "05/11/2026 14:00",
        "005/11/2026",
        "٠٥/١١/٢٠٢٦",  # non-ASCII digits
        "hôm nay",
    ],
)
def test_parse_date_vn_rejects_other_layouts(text: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_date_vn(text)
    assert excinfo.value.code == "date.format"


@pytest.mark.parametrize("text", ["", "   "])
def test_parse_date_vn_rejects_empty_input(text: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_date_vn(text)
    assert excinfo.value.code == "date.empty"


def test_parse_date_vn_refuses_non_strings() -> None:
    with pytest.raises(TypeError):
        parse_date_vn(date(2026, 11, 5))  # type: ignore[arg-type]


def test_invalid_date_is_a_validation_problem() -> None:
    with pytest.raises(ValidationProblem):
        parse_date_vn("31/02/2026")


# --- formatting ------------------------------------------------------------------------------


def test_format_date_vn_pads_day_and_month() -> None:
    assert format_date_vn(date(2026, 11, 5)) == "05/11/2026"
    assert format_date_vn(date(2026, 1, 9)) == "09/01/2026"


def test_format_date_vn_uses_the_vietnamese_date_of_an_aware_datetime() -> None:
    # 18:00 UTC on 4 November is 01:00 on 5 November in Hai Phong.
    assert format_date_vn(datetime(2026, 11, 4, 18, 0, tzinfo=UTC)) == "05/11/2026"


def test_format_date_vn_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_date_vn(datetime(2026, 11, 5, 12, 0))


def test_format_datetime_vn_uses_the_24_hour_clock_in_vietnamese_time() -> None:
    assert format_datetime_vn(datetime(2026, 11, 5, 7, 5, tzinfo=UTC)) == "05/11/2026 14:05"
    assert format_datetime_vn(datetime(2026, 11, 5, 14, 5, tzinfo=HCM_TZ)) == "05/11/2026 14:05"
    assert format_datetime_vn(datetime(2026, 11, 5, 0, 0, tzinfo=HCM_TZ)) == "05/11/2026 00:00"


def test_format_datetime_vn_converts_from_other_zones() -> None:
    paris = timezone(timedelta(hours=1))
    assert format_datetime_vn(datetime(2026, 11, 5, 20, 30, tzinfo=paris)) == "06/11/2026 02:30"


def test_format_datetime_vn_refuses_naive_datetimes_and_plain_dates() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_datetime_vn(datetime(2026, 11, 5, 14, 5))
    with pytest.raises(TypeError):
        format_datetime_vn(date(2026, 11, 5))  # type: ignore[arg-type]


@given(accepted_dates)
def test_parse_date_vn_reads_back_what_format_date_vn_wrote(d: date) -> None:
    assert parse_date_vn(format_date_vn(d)) == d


@given(all_dates)
def test_format_date_vn_is_always_ten_characters_day_first(d: date) -> None:
    out = format_date_vn(d)
    assert len(out) == 10
    assert out[2] == out[5] == "/"
    assert int(out[:2]) == d.day


@given(accepted_dates)
def test_parse_date_vn_reads_iso_dates(d: date) -> None:
    assert parse_date_vn(d.isoformat()) == d


@pytest.mark.parametrize(
    "text", ["01/01/0001", "31/12/9999", "0001-01-01", "9999-12-31", "31/12/1899", "01/01/2101"]
)
def test_parse_date_vn_refuses_days_outside_1900_to_2100(text: str) -> None:
    # Years 1 and 9999 are real dates to Python, but a day bound or "the next day" of them
    # overflows; before this check they crashed every list filtered by them (issue 14).
    with pytest.raises(InvalidDate) as excinfo:
        parse_date_vn(text)
    assert excinfo.value.code == "date.out_of_range"
    assert "01/01/1900" in excinfo.value.message and "31/12/2100" in excinfo.value.message


def test_parse_date_vn_accepts_the_first_and_last_days_of_the_range() -> None:
    assert parse_date_vn("01/01/1900") == MIN_DATE
    assert parse_date_vn("31/12/2100") == MAX_DATE


def test_check_date_range_checks_the_date_of_a_datetime() -> None:
    assert check_date_range(date(2026, 11, 5)) == date(2026, 11, 5)
    with pytest.raises(InvalidDate):
        check_date_range(datetime(9999, 12, 31, 23, 59, tzinfo=UTC))


@pytest.mark.parametrize("label", ["0001-W01", "9999-W52", "1899-W52", "2101-W01"])
def test_parse_iso_week_refuses_weeks_outside_the_range(label: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_iso_week(label)
    assert excinfo.value.code == "date.out_of_range"


# --- local dates and day bounds --------------------------------------------------------------


def test_hcm_tz_is_utc_plus_seven() -> None:
    assert datetime(2026, 6, 1, tzinfo=HCM_TZ).utcoffset() == timedelta(hours=7)


def test_local_date_moves_late_utc_evenings_to_the_next_day() -> None:
    assert local_date(datetime(2026, 11, 4, 16, 59, tzinfo=UTC)) == date(2026, 11, 4)
    assert local_date(datetime(2026, 11, 4, 17, 0, tzinfo=UTC)) == date(2026, 11, 5)


def test_local_date_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="naive"):
        local_date(datetime(2026, 11, 5, 12, 0))


def test_local_day_bounds_cover_the_local_day_in_utc() -> None:
    start, end = local_day_bounds(date(2026, 11, 5))
    assert start == datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 5, 17, 0, tzinfo=UTC)
    assert start.utcoffset() == end.utcoffset() == timedelta(0)


def test_local_day_bounds_follow_historical_offsets() -> None:
    # Saigon kept UTC+8 until 1975; a fixed "-7 hours" would be an hour off.
    start, _ = local_day_bounds(date(1970, 1, 1))
    assert start == datetime(1969, 12, 31, 16, 0, tzinfo=UTC)


def test_local_day_bounds_refuse_datetimes() -> None:
    with pytest.raises(TypeError):
        local_day_bounds(datetime(2026, 11, 5, tzinfo=UTC))


@given(modern_dates)
def test_local_day_bounds_are_consecutive_and_contain_exactly_that_day(d: date) -> None:
    start, end = local_day_bounds(d)
    assert start < end
    assert local_date(start) == d
    assert local_date(end - timedelta(microseconds=1)) == d
    assert local_date(end) == d + timedelta(days=1)
    assert local_day_bounds(d + timedelta(days=1))[0] == end


@given(aware_datetimes)
def test_every_instant_falls_in_the_bounds_of_its_local_date(dt: datetime) -> None:
    start, end = local_day_bounds(local_date(dt))
    assert start <= dt < end


# --- weeks -----------------------------------------------------------------------------------


def test_week_start_is_the_monday_before_or_on_the_day() -> None:
    assert week_start(date(2026, 11, 5)) == date(2026, 11, 2)  # Thursday -> Monday
    assert week_start(date(2026, 11, 2)) == date(2026, 11, 2)  # Monday stays
    assert week_start(date(2026, 11, 8)) == date(2026, 11, 2)  # Sunday ends the week


def test_week_start_refuses_datetimes() -> None:
    with pytest.raises(TypeError):
        week_start(datetime(2026, 11, 5, tzinfo=UTC))


@given(st.dates(min_value=date(1, 1, 8)))
def test_week_start_is_a_monday_within_the_last_seven_days(d: date) -> None:
    monday = week_start(d)
    assert monday.weekday() == 0
    assert d - timedelta(days=7) < monday <= d


@pytest.mark.parametrize(
    ("d", "label"),
    [
        (date(2026, 11, 16), "2026-W47"),
        (date(2026, 11, 22), "2026-W47"),
        (date(2026, 11, 23), "2026-W48"),
        (date(2025, 12, 29), "2026-W01"),  # ISO week-year differs from the calendar year
        (date(2027, 1, 1), "2026-W53"),
        (date(2021, 1, 3), "2020-W53"),
    ],
)
def test_iso_week_label_uses_the_iso_week_year(d: date, label: str) -> None:
    assert iso_week_label(d) == label


def test_parse_iso_week_gives_monday_and_sunday() -> None:
    assert parse_iso_week("2026-W47") == (date(2026, 11, 16), date(2026, 11, 22))
    assert parse_iso_week("2026W47") == (date(2026, 11, 16), date(2026, 11, 22))
    assert parse_iso_week("2026-W01") == (date(2025, 12, 29), date(2026, 1, 4))


@pytest.mark.parametrize("label", ["2026-W00", "2025-W53", "2026-W54"])
def test_parse_iso_week_rejects_weeks_that_do_not_exist(label: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_iso_week(label)
    assert excinfo.value.code == "week.invalid"


@pytest.mark.parametrize("label", ["2026-47", "2026-W4", "W47", "26-W47", "2026-W47-1", ""])
def test_parse_iso_week_rejects_other_layouts(label: str) -> None:
    with pytest.raises(InvalidDate) as excinfo:
        parse_iso_week(label)
    assert excinfo.value.code == "week.format"


@given(st.dates(min_value=date(1900, 1, 8), max_value=date(2100, 12, 24)))
def test_parse_iso_week_inverts_iso_week_label(d: date) -> None:
    monday, sunday = parse_iso_week(iso_week_label(d))
    assert monday == week_start(d)
    assert monday <= d <= sunday
    assert sunday - monday == timedelta(days=6)
    assert sunday.weekday() == 6

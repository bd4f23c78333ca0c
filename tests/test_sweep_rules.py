"""The sweep's text rules, without a browser (the sweep itself is tests/browser/test_sweep.py)."""

from anninh.testing.sweep import bare_numbers


def test_counts_without_separators_are_found():
    assert bare_numbers("Có 12345 vụ việc trong 2026") == ["12345"]


def test_years_phone_numbers_and_formatted_counts_are_not_findings():
    assert bare_numbers("Năm 2026, gọi 0912345678; 12.345 vụ; 1,5 tỷ") == []


def test_a_number_written_after_a_hash_is_an_identifier():
    # The admin titles a person "Person #81171" (it never shows a name): an id, not a count.
    assert bare_numbers("Người #81171 · Hồ sơ #2345") == []
    assert bare_numbers("#81171 và 81171 vụ") == ["81171"]

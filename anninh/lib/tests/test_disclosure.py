"""Small counts on the public transparency page: the suppression rule of
anninh.lib.disclosure on hand-made tables, and a check that no "<3" can be worked back from
what is published (every table consistent with the published figures is enumerated)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.lib import disclosure
from anninh.lib.disclosure import COMPLEMENTARY, PRIMARY, SHOWN


def test_counts_of_one_and_two_are_shown_as_less_than_three_and_zero_as_it_is():
    table = disclosure.protect([[0, 1, 2, 3], [0, 0, 0, 0]], k=3)
    shown = [table.shown_cell(0, j) for j in range(4)]
    assert shown[0] == 0
    assert shown[1] == "<3" and shown[2] == "<3"


def test_a_row_with_one_small_count_hides_its_smallest_large_count_too():
    # Row 0: 1 is primary; the total 13 minus 5 and 7 would give it back, so 5 is hidden.
    table = disclosure.protect([[1, 5, 7], [4, 6, 8]], k=3)
    assert table.status[0] == [PRIMARY, COMPLEMENTARY, SHOWN]
    # Column 0 then has one hidden cell: 4 below it is hidden; column 1 likewise hides 6.
    assert table.status[1] == [COMPLEMENTARY, COMPLEMENTARY, SHOWN]
    assert table.shown_cell(0, 1) == "…"
    assert table.shown_row_total(0) == 13 and table.shown_column_total(0) == 5


def test_a_line_with_nothing_large_enough_to_hide_loses_its_total():
    table = disclosure.protect([[1, 1, 0]], k=3)
    assert table.row_total_hidden == [True]
    assert table.shown_row_total(0) == "…"
    # Each column holds only its one cell: with nothing to hide beside it, its total goes.
    assert table.column_total_hidden == [True, True, False]


def test_a_table_without_small_counts_is_published_whole():
    table = disclosure.protect([[3, 10], [0, 4]], k=3)
    assert all(s == SHOWN for row in table.status for s in row)
    assert not any(table.row_total_hidden) and not any(table.column_total_hidden)


def test_the_threshold_is_a_parameter():
    table = disclosure.protect([[4, 9, 9]], k=5)
    assert table.shown_cell(0, 0) == "<5"


@pytest.mark.parametrize("bad", [[[1, 2], [3]], [[-1, 2]]])
def test_tables_that_are_not_counts_are_refused(bad):
    with pytest.raises(ValueError):
        disclosure.protect(bad)


def _consistent_values(table: disclosure.SafeTable) -> dict[tuple[int, int], set[int]]:
    """For each hidden cell, every value it takes in some table consistent with what is
    published, read with the rule known: a "<k" is 1..k-1, a "…" is k or more (bounded by
    the largest published total, which no cell can exceed)."""
    k = table.k
    hidden = [(i, j) for i, row in enumerate(table.status) for j, s in enumerate(row) if s != SHOWN]
    bound = max([*table.row_totals, *table.column_totals, k]) + 1
    ranges = [range(1, k) if table.status[i][j] == PRIMARY else range(k, bound) for i, j in hidden]
    possible: dict[tuple[int, int], set[int]] = {c: set() for c in hidden}
    rows, cols = len(table.cells), len(table.cells[0])
    for values in itertools.product(*ranges):
        guess = [list(row) for row in table.cells]
        for (i, j), v in zip(hidden, values, strict=True):
            guess[i][j] = v
        if any(not table.row_total_hidden[i] and sum(guess[i]) != table.row_totals[i] for i in range(rows)):
            continue
        if any(
            not table.column_total_hidden[j]
            and sum(guess[i][j] for i in range(rows)) != table.column_totals[j]
            for j in range(cols)
        ):
            continue
        for cell, v in zip(hidden, values, strict=True):
            possible[cell].add(v)
    return possible


def test_no_small_count_of_a_hand_made_table_can_be_worked_back():
    table = disclosure.protect([[1, 5, 7], [4, 6, 8], [0, 2, 9]], k=3)
    for i, row in enumerate(table.status):
        for j, s in enumerate(row):
            if s == PRIMARY:
                low, high = _lp_bounds(table, (i, j))
                assert low < high, ((i, j), low, high)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.integers(min_value=0, max_value=6), min_size=3, max_size=3), min_size=2, max_size=3)
)
def test_no_small_count_can_be_worked_back_from_the_published_table(cells):
    table = disclosure.protect(cells, k=3)
    hidden = sum(s != SHOWN for row in table.status for s in row)
    if hidden > 5:
        return  # too many combinations to enumerate here; the hand-made cases cover the rule
    possible = _consistent_values(table)
    for (i, j), values in possible.items():
        assert cells[i][j] in values  # the truth is always consistent
        if table.status[i][j] == PRIMARY:
            assert len(values) >= 2, (cells, (i, j), values)


def test_a_cell_fixed_by_a_row_and_a_column_together_is_protected_too():
    # Row 1 alone (b + c = 6) and column 2 alone (a + c = 5) each leave room, but together,
    # with "<3" meaning 1..2 and "…" 3 or more, they fix a = 1, b = 2, c = 4.
    cells = [[0, 0, 1], [0, 2, 4]]
    table = disclosure.protect(cells, k=3)
    possible = _consistent_values(table)
    assert all(len(v) >= 2 for (i, j), v in possible.items() if table.status[i][j] == PRIMARY), possible


def _lp_bounds(table: disclosure.SafeTable, cell) -> tuple[int, int]:
    """The least and greatest value of `cell` by linear programming (an independent oracle:
    row and column sums are totally unimodular, so the bounds are whole numbers)."""
    from scipy.optimize import linprog

    k = table.k
    hidden = [(i, j) for i, row in enumerate(table.status) for j, s in enumerate(row) if s != SHOWN]
    rows = [i for i in range(len(table.cells)) if not table.row_total_hidden[i]]
    cols = [j for j in range(len(table.cells[0])) if not table.column_total_hidden[j]]
    a_eq = [[1 if c[0] == i else 0 for c in hidden] for i in rows] + [
        [1 if c[1] == j else 0 for c in hidden] for j in cols
    ]
    b_eq = [sum(table.cells[i][j] for j in range(len(table.cells[0])) if (i, j) in hidden) for i in rows]
    b_eq += [sum(table.cells[i][j] for i in range(len(table.cells)) if (i, j) in hidden) for j in cols]
    bounds = [(1, k - 1) if table.status[i][j] == PRIMARY else (k, None) for i, j in hidden]
    out = []
    for sign in (1, -1):
        cost = [sign if c == cell else 0 for c in hidden]
        result = linprog(cost, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        out.append(round(sign * result.fun))
    return out[0], out[1]


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=6, max_size=6), min_size=8, max_size=12
    )
)
def test_on_larger_tables_linear_programming_finds_every_small_count_free(cells):
    table = disclosure.protect(cells, k=3)
    for i, row in enumerate(table.status):
        for j, s in enumerate(row):
            if s == PRIMARY:
                low, high = _lp_bounds(table, (i, j))
                assert low < high, (i, j, low, high)


def test_the_trend_is_relative_and_needs_a_base():
    assert disclosure.trend(10, 15) == 0.5
    assert disclosure.trend(0, 5) is None

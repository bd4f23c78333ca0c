"""Planning: hand-checked cases and properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.patrols.planning import Cell, Site, assign, checkpoint_scores, covered


def test_snake_order_by_hand():
    cells = [Cell(k, "A", e) for k, e in [(1, 9), (2, 8), (3, 7), (4, 6), (5, 5), (6, 1)]]
    plan = assign(cells, {"A": 2}, 2)
    # Best four cells 1..4 dealt 1, 2, 2, 1: team 1 gets 9 and 6, team 2 gets 8 and 7.
    assert [(a.team, a.order, a.cell.key) for a in plan] == [(1, 1, 1), (1, 2, 4), (2, 1, 2), (2, 2, 3)]
    assert covered(plan) == 30


def test_communes_are_kept_apart_and_short_communes_handled():
    cells = [Cell(1, "A", 5), Cell(2, "B", 50), Cell(3, "A", 4)]
    plan = assign(cells, {"A": 3, "B": 0}, 1)
    assert {a.cell.commune for a in plan} == {"A"}
    assert [a.team for a in plan] == [1, 2]  # two cells for three teams: team 3 gets none


def test_bad_input():
    with pytest.raises(ValueError):
        assign([Cell(1, "A", 1), Cell(1, "A", 2)], {"A": 1}, 1)
    with pytest.raises(ValueError):
        assign([], {"A": 1}, 0)


def test_checkpoint_score_by_hand():
    cells = [Cell(1, "A", 2.0, 0, 0), Cell(2, "A", 1.0, 300, 0)]
    sites = [Site(10, 0, 0), Site(11, 300, 0), Site(12, 2000, 0)]
    # Site 10: 2·1 + 1·(1 − 300/500) = 2.4; site 11: 2·0.4 + 1 = 1.8; site 12: 0.
    assert checkpoint_scores(sites, cells) == [(10, pytest.approx(2.4)), (11, pytest.approx(1.8)), (12, 0.0)]


cell_lists = st.lists(
    st.tuples(st.sampled_from("ABC"), st.floats(0, 10, allow_nan=False)), min_size=0, max_size=40
).map(lambda rows: [Cell(i, c, e) for i, (c, e) in enumerate(rows)])


@given(cell_lists, st.dictionaries(st.sampled_from("ABC"), st.integers(0, 5)), st.integers(1, 4))
def test_never_across_communes_never_twice(cells, teams, per_team):
    plan = assign(cells, teams, per_team)
    keys = [a.cell.key for a in plan]
    assert len(keys) == len(set(keys))
    assert all(a.cell.commune == a.commune and 1 <= a.team <= teams[a.commune] for a in plan)
    for commune, n in teams.items():
        assert sum(a.commune == commune for a in plan) <= n * per_team


@given(cell_lists, st.sampled_from("ABC"), st.integers(0, 5), st.integers(1, 3))
def test_coverage_is_monotone_in_teams(cells, commune, n, per_team):
    fewer = covered(assign(cells, {commune: n}, per_team))
    more = covered(assign(cells, {commune: n + 1}, per_team))
    assert more >= fewer - 1e-9


def test_ties_in_risk_are_broken_by_cell_key_so_the_plan_is_deterministic():
    cells = [Cell(k, "A", 1.0) for k in (7, 3, 5, 1)]
    plan = assign(cells, {"A": 1}, 2)
    assert [a.cell.key for a in plan] == [1, 3]
    assert assign(list(reversed(cells)), {"A": 1}, 2) == plan


def test_three_teams_three_rounds_snake_balances_the_load():
    # Nine cells 9..1 dealt 1,2,3,3,2,1,1,2,3: team 1 gets 9, 4, 3; team 2 8, 5, 2; team 3 7, 6, 1.
    cells = [Cell(k, "A", float(k)) for k in range(1, 10)]
    plan = assign(cells, {"A": 3}, 3)
    by_team = {t: [a.cell.key for a in plan if a.team == t] for t in (1, 2, 3)}
    assert by_team == {1: [9, 4, 3], 2: [8, 5, 2], 3: [7, 6, 1]}
    assert {t: sum(keys) for t, keys in by_team.items()} == {1: 16, 2: 15, 3: 14}
    assert [a.order for a in plan if a.team == 2] == [1, 2, 3]


def test_negative_teams_and_a_zero_radius_are_refused():
    with pytest.raises(ValueError):
        assign([Cell(1, "A", 1)], {"A": -1}, 1)
    with pytest.raises(ValueError):
        checkpoint_scores([Site(1, 0, 0)], [Cell(1, "A", 1)], radius_m=0)


def test_a_cell_at_exactly_the_radius_adds_nothing_and_ties_go_to_the_lower_site_key():
    cells = [Cell(1, "A", 3.0, 500, 0)]
    assert checkpoint_scores([Site(2, 0, 0)], cells) == [(2, 0.0)]
    cells = [Cell(1, "A", 1.0, 0, 0)]
    assert checkpoint_scores([Site(9, 100, 0), Site(4, -100, 0)], cells) == [
        (4, pytest.approx(0.8)),
        (9, pytest.approx(0.8)),
    ]


@given(cell_lists, st.sampled_from("ABC"), st.integers(1, 5), st.integers(1, 3))
def test_the_plan_covers_the_most_expected_crime_possible(cells, commune, n, per_team):
    """Greedy is optimal: the plan covers exactly the commune's n × per_team best cells."""
    best = sorted((c.expected for c in cells if c.commune == commune), reverse=True)[: n * per_team]
    assert covered(assign(cells, {commune: n}, per_team)) == pytest.approx(sum(best))

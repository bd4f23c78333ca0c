"""Patrol planning as pure functions (no Django): teams to forecast cells within each commune
police's territory, and candidate checkpoints ranked by the forecast risk around them.

Places only: the inputs are cells (with their commune and expected crimes), team counts and
checkpoint sites; nothing about any person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    key: int  # the forecast's cell index
    commune: str
    expected: float
    x: float = 0.0  # metres, for the checkpoint score
    y: float = 0.0


@dataclass(frozen=True)
class Assignment:
    commune: str
    team: int  # 1-based within the commune
    order: int  # 1-based visiting order within the team
    cell: Cell


def assign(cells: list[Cell], teams: dict[str, int], cells_per_team: int) -> list[Assignment]:
    """Give each commune's teams its highest-risk cells, `cells_per_team` each.

    Within a commune the best `teams × cells_per_team` cells are dealt to the teams in snake
    order (1, 2, …, n, n, …, 2, 1, …) so the teams' shares of expected crime are balanced. A
    cell is never given twice and never across communes; with fewer cells than places, the
    first teams get them and the others none. Ties in risk are broken by cell key, so the plan
    is deterministic. Greedy by risk maximises the expected crime covered, because every cell
    counts once and each team takes a fixed number of cells.
    """
    if cells_per_team < 1:
        raise ValueError("each team needs at least one cell")
    by_commune: dict[str, list[Cell]] = {}
    seen: set[int] = set()
    for cell in cells:
        if cell.key in seen:
            raise ValueError(f"cell {cell.key} is listed twice")
        seen.add(cell.key)
        by_commune.setdefault(cell.commune, []).append(cell)
    out: list[Assignment] = []
    for commune in sorted(teams):
        n = teams[commune]
        if n < 0:
            raise ValueError("the number of teams cannot be negative")
        if n == 0:
            continue
        ranked = sorted(by_commune.get(commune, []), key=lambda c: (-c.expected, c.key))[: n * cells_per_team]
        orders = [0] * (n + 1)
        for i, cell in enumerate(ranked):
            round_, pos = divmod(i, n)
            team = pos + 1 if round_ % 2 == 0 else n - pos
            orders[team] += 1
            out.append(Assignment(commune, team, orders[team], cell))
    return sorted(out, key=lambda a: (a.commune, a.team, a.order))


def covered(assignments: list[Assignment]) -> float:
    """Expected crimes in the assigned cells."""
    return sum(a.cell.expected for a in assignments)


@dataclass(frozen=True)
class Site:
    key: int
    x: float
    y: float


def checkpoint_scores(
    sites: list[Site], cells: list[Cell], radius_m: float = 500.0
) -> list[tuple[int, float]]:
    """Each site's score: the expected crimes of the forecast cells around it, weighted by
    1 − distance/radius (0 beyond the radius). Best first; ties by site key."""
    if radius_m <= 0:
        raise ValueError("the radius must be positive")
    scores = []
    for site in sites:
        total = 0.0
        for cell in cells:
            d = math.hypot(cell.x - site.x, cell.y - site.y)
            if d < radius_m:
                total += cell.expected * (1 - d / radius_m)
        scores.append((site.key, total))
    return sorted(scores, key=lambda s: (-s[1], s[0]))

"""Publishing small counts without pointing at a person (statistical disclosure control),
for the public transparency page. Pure: lists of integers in, a table of what to show out.

The rule (also on the page itself):

1. **Primary suppression.** A count from 1 to `k - 1` (k = 3 by default) is shown as "<3".
   Zero is shown: an absence points at nobody.
2. **Totals** of each row (a commune over the months) and each column (the city in a month)
   are the true sums and are shown, unless rule 4 hides one.
3. **Complementary suppression.** A total minus the cells shown must never give back a
   hidden cell. So every row and column that has a hidden cell must have at least two hidden
   cells, at least one of them a *complementary* one: a count of `k` or more, hidden (shown
   as "…") only to protect the others; and the hidden cells must leave room, so that each
   small count could be another value with the same total (see `_line_needs_more`). The
   smallest count above `k` of the line is chosen first. This is repeated over rows and
   columns until every line satisfies it (a complementary cell itself needs the same
   protection in its other line).
4. When a line has no count of `k` or more left to hide, its total is hidden instead.
5. **Audit.** Rows and columns can give a cell back together even when each alone cannot
   (a row says b + c = 6, a column says a + c = 5: with the ranges known, a = 1). So each
   small count is then checked against all published totals at once: it is safe when a
   cycle of hidden cells lets it change by one while every total stays the same and every
   hidden cell stays in its known range (`_movable`; the tests compare this with linear
   programming and with enumeration). One that cannot change gets one more complementary
   cell in its row or column (or, with none left, a hidden total), and the whole is checked
   again.

Readers know the rule: a "<3" is 1 or 2 and a "…" is 3 or more; the tests enumerate every
table consistent with what is shown and find each "<3" cell still ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SHOWN = "shown"
PRIMARY = "primary"  # small count, shown as "<k"
COMPLEMENTARY = "complementary"  # hidden to protect a small count, shown as "…"


@dataclass
class SafeTable:
    """What may be published of a table of counts (rows × columns)."""

    cells: list[list[int]]
    k: int
    status: list[list[str]] = field(default_factory=list)
    row_total_hidden: list[bool] = field(default_factory=list)
    column_total_hidden: list[bool] = field(default_factory=list)

    @property
    def row_totals(self) -> list[int]:
        return [sum(row) for row in self.cells]

    @property
    def column_totals(self) -> list[int]:
        return [sum(col) for col in zip(*self.cells, strict=True)] if self.cells else []

    def shown_cell(self, i: int, j: int) -> int | str:
        """The value to print: the count, "<k" or "…"."""
        status = self.status[i][j]
        if status == PRIMARY:
            return f"<{self.k}"
        if status == COMPLEMENTARY:
            return "…"
        return self.cells[i][j]

    def shown_row_total(self, i: int) -> int | str:
        return "…" if self.row_total_hidden[i] else self.row_totals[i]

    def shown_column_total(self, j: int) -> int | str:
        return "…" if self.column_total_hidden[j] else self.column_totals[j]


def _line_needs_more(values: list[int], statuses: list[str], k: int) -> bool:
    """Whether a line whose total is published still lets a reader work a small count back.

    A reader who knows the rule knows each "<k" is 1..k-1 and each "…" is k or more, and the
    sum of the line's hidden cells (the total minus the cells shown). A small count is safe
    when another value fits: it is itself k-1 or more (it could be 1 less), or some other hidden
    cell of the line is above its least possible value (it could give 1 to it). Without a
    complementary cell the hidden cells would also be bounded from above, so one is required.
    """
    hidden = [(v, s) for v, s in zip(values, statuses, strict=True) if s != SHOWN]
    if not hidden:
        return False
    if len(hidden) < 2 or not any(s == COMPLEMENTARY for _v, s in hidden):
        return True
    slack = [v - (1 if s == PRIMARY else k) for v, s in hidden]
    total_slack = sum(slack)
    for (v, s), own in zip(hidden, slack, strict=True):
        if s == PRIMARY and v < k - 1 and total_slack - own < 1:
            return True
    return False


def protect(cells: list[list[int]], *, k: int = 3) -> SafeTable:
    """Apply the rule of this module to `cells` (non-negative counts, rectangular)."""
    if k < 3:
        raise ValueError('k must be at least 3 (with 2, a "<2" would say 1)')
    width = len(cells[0]) if cells else 0
    if any(len(row) != width for row in cells):
        raise ValueError("the table must be rectangular")
    if any(c < 0 for row in cells for c in row):
        raise ValueError("counts are never negative")
    status = [[PRIMARY if 0 < c < k else SHOWN for c in row] for row in cells]
    row_hidden = [False] * len(cells)
    col_hidden = [False] * width

    def lines():
        for i in range(len(cells)):
            yield "row", i, [(i, j) for j in range(width)]
        for j in range(width):
            yield "col", j, [(i, j) for i in range(len(cells))]

    def hide_one_more(kind: str, index: int, coords) -> None:
        # The smallest count above k first: a count of exactly k gives the reader no room.
        candidates = [
            (cells[i][j] == k, cells[i][j], i, j)
            for i, j in coords
            if status[i][j] == SHOWN and cells[i][j] >= k
        ]
        if candidates:
            _exact, _value, i, j = min(candidates)
            status[i][j] = COMPLEMENTARY
        elif kind == "row":
            row_hidden[index] = True
        else:
            col_hidden[index] = True

    pinned = None
    while True:
        changed = True
        while changed:
            changed = False
            for kind, index, coords in lines():
                total_hidden = row_hidden[index] if kind == "row" else col_hidden[index]
                line = [cells[i][j] for i, j in coords]
                if total_hidden or not _line_needs_more(line, [status[i][j] for i, j in coords], k):
                    continue
                hide_one_more(kind, index, coords)
                changed = True
        # Hiding more only frees cells (the true table stays a solution), so a count once
        # found free stays free: only those still fixed are checked again.
        pinned = _pinned(cells, status, row_hidden, col_hidden, k, among=pinned)
        if not pinned:
            break
        # One more hidden cell (or total) beside each small count found fixed, then again.
        for i, j in pinned:
            if not row_hidden[i] and any(status[i][c] == SHOWN and cells[i][c] >= k for c in range(width)):
                hide_one_more("row", i, [(i, c) for c in range(width)])
            elif not col_hidden[j] and any(
                status[r][j] == SHOWN and cells[r][j] >= k for r in range(len(cells))
            ):
                hide_one_more("col", j, [(r, j) for r in range(len(cells))])
            elif not row_hidden[i]:
                row_hidden[i] = True
            else:
                col_hidden[j] = True
    return SafeTable(
        cells=[list(row) for row in cells],
        k=k,
        status=status,
        row_total_hidden=row_hidden,
        column_total_hidden=col_hidden,
    )


def _movable(cells, status, row_hidden, col_hidden, k: int, cell: tuple[int, int], by_row, by_col) -> bool:
    """Whether the small count at `cell` could be another value with every published figure
    unchanged: a search for an alternating cycle of hidden cells through it (+1 here, -1 in
    its row, +1 in that column...), each cell staying in its known range, where a line whose
    total is hidden absorbs any change (transportation-problem reasoning; rule 5)."""
    i0, j0 = cell
    value = cells[i0][j0]
    delta = 1 if value + 1 <= k - 1 else -1

    def room(i: int, j: int, sign: int) -> bool:
        low, high = (1, k - 1) if status[i][j] == PRIMARY else (k, None)
        new = cells[i][j] + sign
        return new >= low and (high is None or new <= high)

    def is_open(node) -> bool:
        kind, n = node
        return row_hidden[n] if kind == "r" else col_hidden[n]

    open_nodes = [("r", i) for i in range(len(cells)) if row_hidden[i]]
    open_nodes += [("c", j) for j in range(len(cells[0])) if col_hidden[j]]
    col_open = col_hidden[j0]
    start = ("r", i0)
    frontier = [(start, -delta)]
    seen = {(start, -delta)}
    used_open = False
    while frontier:
        next_frontier = []
        for node, sign in frontier:
            steps = []
            if is_open(node):
                if col_open:
                    return True  # the change flows out through an open line on both ends
                if not used_open:
                    used_open = True
                    steps += [(other, s) for other in open_nodes for s in (1, -1)]
            kind, n = node
            if kind == "r":
                steps += [(("c", j), -sign) for j in by_row.get(n, ()) if (n, j) != cell and room(n, j, sign)]
            else:
                steps += [(("r", i), -sign) for i in by_col.get(n, ()) if (i, n) != cell and room(i, n, sign)]
            for state in steps:
                if state == (("c", j0), delta):
                    return True
                if state not in seen:
                    seen.add(state)
                    next_frontier.append(state)
        frontier = next_frontier
    return False


def _pinned(cells, status, row_hidden, col_hidden, k: int, among=None) -> list[tuple[int, int]]:
    """The small counts (of `among`, default all) whose value the published figures fix
    (rule 5)."""
    by_row: dict[int, list[int]] = {}
    by_col: dict[int, list[int]] = {}
    for i, row in enumerate(status):
        for j, s in enumerate(row):
            if s != SHOWN:
                by_row.setdefault(i, []).append(j)
                by_col.setdefault(j, []).append(i)
    if among is None:
        among = [(i, j) for i, row in enumerate(status) for j, s in enumerate(row) if s == PRIMARY]
    return [
        cell for cell in among if not _movable(cells, status, row_hidden, col_hidden, k, cell, by_row, by_col)
    ]


def trend(previous: int, current: int) -> float | None:
    """Relative change from `previous` to `current` (0.25 = +25 %), None without a base."""
    if previous <= 0:
        return None
    return (current - previous) / previous

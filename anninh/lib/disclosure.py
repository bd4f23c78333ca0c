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
   as "…") only to protect the others. The smallest such count of the line is chosen. This is
   repeated over rows and columns until every line satisfies it (a complementary cell itself
   needs the same protection in its other line).
4. When a line has no count of `k` or more left to hide, its total is hidden instead.

Readers know the rule: a "<3" is 1 or 2 and a "…" is 3 or more; the check in the tests
enumerates every table consistent with what is shown and finds each "<3" cell still
ambiguous. (Attacks that combine many lines at once are out of reach for tables this small
in the number of hidden cells per line; the sums of the hidden cells of a line are never
published apart from the total.)
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


def _line_needs_more(statuses: list[str]) -> bool:
    hidden = [s for s in statuses if s != SHOWN]
    if not hidden:
        return False
    return len(hidden) < 2 or COMPLEMENTARY not in hidden


def protect(cells: list[list[int]], *, k: int = 3) -> SafeTable:
    """Apply the rule of this module to `cells` (non-negative counts, rectangular)."""
    if k < 2:
        raise ValueError("k must be at least 2")
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

    changed = True
    while changed:
        changed = False
        for kind, index, coords in lines():
            total_hidden = row_hidden[index] if kind == "row" else col_hidden[index]
            if total_hidden or not _line_needs_more([status[i][j] for i, j in coords]):
                continue
            candidates = [
                (cells[i][j], i, j) for i, j in coords if status[i][j] == SHOWN and cells[i][j] >= k
            ]
            if candidates:
                _value, i, j = min(candidates)
                status[i][j] = COMPLEMENTARY
            elif kind == "row":
                row_hidden[index] = True
            else:
                col_hidden[index] = True
            changed = True
    return SafeTable(
        cells=[list(row) for row in cells],
        k=k,
        status=status,
        row_total_hidden=row_hidden,
        column_total_hidden=col_hidden,
    )


def trend(previous: int, current: int) -> float | None:
    """Relative change from `previous` to `current` (0.25 = +25 %), None without a base."""
    if previous <= 0:
        return None
    return (current - previous) / previous

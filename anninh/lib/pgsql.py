# ruff: noqa: S608 -- PL/pgSQL built from this project's own statement text and the two transition table names, never from input.
"""PL/pgSQL text for statement triggers that read transition tables.

A static statement in a PL/pgSQL function is prepared once per database session and its plan
kept. A statement with no parameters, such as one that reads only the trigger's transition
tables (`new_rows`, `old_rows`) and tables, keeps the generic plan made at the session's first
call: PostgreSQL plans a transition table for the rows it holds *then*, and nothing invalidates
the plan when a later call's table is a thousand times larger. Made for the one row of a
service's write, a nested loop joining `new_rows` to `old_rows` (or scanning them once per row
of a real table) stays for the bulk write of thousands that follows on the same connection:
the PostgreSQL test run's demo seed, after a few small tests on its connection, ran a single
COPY of case history for hours (issue #15's CI run).

So each statement is written twice (`sized`): static for a statement that wrote one row (a
service's write: its plan, made for one row, is only ever used for one, and planning it at
every call would cost about 1.5 ms a write), and through EXECUTE, planned at every call for
that call's sizes, for more.
"""

from __future__ import annotations

import re

QUOTE = "$dyn$"
ONE_ROW = "-- one row: planned once"
MORE_ROWS = "-- more rows: planned per call"


def replanned(statement: str, into: str = "") -> str:
    """`statement` as a PL/pgSQL EXECUTE of itself (with `INTO into` if given): planned anew
    at every call. The statement is this project's own SQL text, never input."""
    body = _body(statement)
    if QUOTE in body:
        raise ValueError(f"a statement to replan cannot contain {QUOTE}")
    return f"EXECUTE {QUOTE}{body}{QUOTE}{f' INTO {into}' if into else ''};"


def _body(statement: str) -> str:
    return statement.strip().rstrip(";").strip()


def sized(rows: str, *statements: str, into: str = "", indent: str = "  ") -> str:
    """PL/pgSQL running `statements` in order: static when the transition table `rows` holds
    at most one row, replanned through EXECUTE otherwise. `into`: the variable the (single)
    statement's result goes to."""
    if rows not in ("new_rows", "old_rows"):
        raise ValueError(rows)
    if into and len(statements) != 1:
        raise ValueError("INTO takes one statement")
    suffix = f" INTO {into}" if into else ""
    static = "".join(f"{indent}  {_body(s)}{suffix};\n" for s in statements)
    dynamic = "".join(f"{indent}  {replanned(s, into)}\n" for s in statements)
    return (
        f"{indent}IF NOT EXISTS (SELECT 1 FROM {rows} OFFSET 1) THEN {ONE_ROW}\n{static}"
        f"{indent}ELSE {MORE_ROWS}\n{dynamic}{indent}END IF;\n"
    )


def trigger_function(name: str, rows: str, *statements: str) -> str:
    """CREATE OR REPLACE FUNCTION `name`() for a statement trigger that runs `statements` in
    order (`sized` by the transition table `rows`) and returns NULL."""
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        f"BEGIN\n{sized(rows, *statements)}  RETURN NULL;\nEND\n$fn$;\n"
    )


_ONE_ROW_BRANCH = re.compile(
    r"IF NOT EXISTS \(SELECT 1 FROM (?:new|old)_rows OFFSET 1\) THEN " + re.escape(ONE_ROW) + r"\n"
    r".*?\n\s*ELSE " + re.escape(MORE_ROWS) + r"\n",
    re.DOTALL,
)


def static_transition_reads(source: str) -> list[str]:
    """The lines of a PL/pgSQL function body that read a transition table with a kept plan
    outside a one-row branch of `sized` and outside an EXECUTE string: empty when every
    statement that may see more than one row is planned per call."""
    rest = _ONE_ROW_BRANCH.sub("", source)
    outside = rest.split(QUOTE)[::2]  # the text between the quoted statements
    return [
        line.strip()
        for part in outside
        for line in part.splitlines()
        if "new_rows" in line or "old_rows" in line
    ]

"""PL/pgSQL text for statement triggers that read transition tables.

A static statement in a PL/pgSQL function is prepared once per database session and its plan
kept. A statement with no parameters, such as one that reads only the trigger's transition
tables (`new_rows`, `old_rows`) and tables, keeps the generic plan made at the session's first
call: PostgreSQL plans a transition table for the rows it holds *then*, and nothing invalidates
the plan when a later call's table is a thousand times larger. Made for the one row of a
service's write, a nested loop joining `new_rows` to `old_rows` (or scanning them once per row
of a real table) stays for the bulk write of thousands that follows on the same connection:
the PostgreSQL test run's demo seed, after a few small tests on its connection, ran a single
COPY of case history for hours (issue #15's CI run). Run through EXECUTE, the statement is
planned at every call for that call's sizes (a fraction of a millisecond a statement).
"""

from __future__ import annotations

QUOTE = "$dyn$"


def replanned(statement: str, into: str = "") -> str:
    """`statement` as a PL/pgSQL EXECUTE of itself (with `INTO into` if given): planned anew
    at every call. The statement is this project's own SQL text, never input."""
    body = statement.strip().rstrip(";").strip()
    if QUOTE in body:
        raise ValueError(f"a statement to replan cannot contain {QUOTE}")
    return f"EXECUTE {QUOTE}{body}{QUOTE}{f' INTO {into}' if into else ''};"


def static_transition_reads(source: str) -> list[str]:
    """The lines of a PL/pgSQL function body that name a transition table outside an EXECUTE
    string (what `replanned` prevents): empty when every such read is planned per call."""
    outside = source.split(QUOTE)[::2]  # the text between the quoted statements
    return [
        line.strip()
        for part in outside
        for line in part.splitlines()
        if "new_rows" in line or "old_rows" in line
    ]


def trigger_function(name: str, *statements: str) -> str:
    """CREATE OR REPLACE FUNCTION `name`() for a statement trigger that runs `statements` in
    order, each replanned at every call, and returns NULL."""
    body = "".join(f"  {replanned(statement)}\n" for statement in statements)
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$\n"
        f"BEGIN\n{body}  RETURN NULL;\nEND\n$fn$;\n"
    )

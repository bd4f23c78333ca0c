"""The PostgreSQL fast path of the incident import: COPY into a staging table, then set-based SQL.

Used by anninh.records.services.io_import for CSV files on PostgreSQL (setting
ANNINH_IMPORT_COPY, on by default). The Python path (io_import's Checker and _Writer) stays
the reference: this path must give the same incidents, links, losses, timeline entries,
numbers, counts and audit rows, and it hands over to the Python path whenever it meets
something it does not settle itself.

1. The file's bytes are COPYed into a temporary staging table, one text column per column of
   the file, numbered in file order (row number = ordinal + 1, the header being row 1, as
   the CSV reader numbers them; rows whose cells are all empty are dropped, keeping the
   numbers of the others).
2. Low-cardinality columns (kind, premises, unit, review, synthetic, commune, articles,
   losses) and the keys, addresses and narratives are checked and normalised once per
   distinct value with the Checker's own lookups and helpers, in Python; the results go
   back as small temporary tables and are joined.
3. Dates in the strict `dd/mm/yyyy[ HH:MM[:SS]]` form from 1976 on (after Asia/Ho_Chi_Minh's
   last change of offset) are parsed in SQL (`STRICT_DATE_SQL`); every other distinct value
   goes through the Checker's `_when`, so its rules and messages stay in one place.
4. Points: one vectorised PointIndex call for every row with a point.
5. Existing incidents are matched with one join on the external id; unchanged rows are
   counted in SQL; changed rows (rare: a file edited and imported again) go through the
   Python path's Checker and _Writer (its diff, timeline entry and permission checks).
6. New incidents, their offence links, losses and timeline entries are written with
   `INSERT ... SELECT` from the staging tables (register numbers handed out as the Python
   path does, in file order per unit and year), in the import's one transaction. With
   QuietWrites (the role may, the setting is on) the row triggers are off for these inserts
   and what they do is done once: foreign keys checked and locked per distinct value, the
   monthly counts by one grouped upsert; otherwise the monthly aggregate trigger and the
   deferred foreign keys run as for any insert. The audit row is the import's own (io_import).

Any problem in any row (or anything this path does not handle: a given incident number, a
number of the register already taken, an external id outside the importer's scope, a file
PostgreSQL's COPY reads differently from Python's CSV reader) rolls back this path's
savepoint and raises Fallback: the import then runs the Python path from the start, which
reports the problems with their messages and row numbers as it always has. A bad file
therefore costs a little more than before; a good one costs a fraction.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from django.conf import settings
from django.db import connection

from anninh.lib.errors import ValidationProblem
from anninh.records.models import (
    Incident,
    IncidentKind,
    IncidentLoss,
    IncidentOffence,
    Offence,
    RecordEvent,
    ReviewStatus,
)
from anninh.records.services.io_checks import CLOCK_SKEW, Checker, PointIndex
from anninh.records.services.io_fast import FastTable, fast_fold
from anninh.records.services.io_formats import (
    FALSE_WORDS,
    TRUE_WORDS,
    Problem,
    parse_float_cell,
    parse_vnd_cell,
)

STAGE = "imp_stage"
# Checker fields this path reads; a mapping to any other field goes to the Python path.
FIELDS = {
    "external_id",
    "number",
    "kind",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "commune_code",
    "address",
    "lat",
    "lon",
    "premises",
    "articles",
    "losses_vnd",
    "unit_code",
    "review_status",
    "synthetic",
    "narrative",
}
TZ = "Asia/Ho_Chi_Minh"
FIRST_SQL_YEAR = 1976  # Asia/Ho_Chi_Minh has kept +07:00 since 13/06/1975
STRICT_PATTERN = "^[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?$"


TEMP_TABLES = (
    STAGE,
    "imp_kind",
    "imp_premises",
    "imp_synthetic",
    "imp_losses",
    "imp_unit",
    "imp_key",
    "imp_address",
    "imp_narrative",
    "imp_articles",
    "imp_date_occurred_from",
    "imp_date_occurred_to",
    "imp_date_reported_at",
    "imp_days",
    "imp_times",
    "imp_points",
    "imp_point_codes",
    "imp_short",
    "imp_commune",
    "imp_rows",
    "imp_links",
    "imp_labels",
    "imp_match",
    "imp_base",
    "imp_numbered",
    "imp_years",
)


# Binary COPY rows: (ord bigint, lat float8, lon float8) out, (ord bigint, ix int, lat, lon) in.
_POINT_OUT = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("ord", ">i8"),
        ("l2", ">i4"),
        ("lat", ">f8"),
        ("l3", ">i4"),
        ("lon", ">f8"),
    ]
)
_POINT_IN = np.dtype(
    [
        ("n", ">i2"),
        ("l1", ">i4"),
        ("ord", ">i8"),
        ("l2", ">i4"),
        ("ix", ">i4"),
        ("l3", ">i4"),
        ("lat", ">f8"),
        ("l4", ">i4"),
        ("lon", ">f8"),
    ]
)
_PGCOPY_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, flags, header extension length


class Fallback(Exception):
    """This file (or this database) is for the Python path; the reason is for tests and logs."""


def enabled_for(copy: bool | None = None) -> bool:
    """Whether an import tries this path: PostgreSQL only; `copy` (the caller's choice) or
    the setting ANNINH_IMPORT_COPY (on unless turned off)."""
    if connection.vendor != "postgresql":
        return False
    return bool(getattr(settings, "ANNINH_IMPORT_COPY", True)) if copy is None else copy


def strict_date_sql(column: str) -> str:
    """SQL: the timestamptz of `column` when it is a valid `dd/mm/yyyy[ HH:MM[:SS]]` from
    FIRST_SQL_YEAR on, else NULL (the value then goes through the Checker). Nested CASEs: the
    conversions run only on text the pattern has already vouched for."""
    c = column
    y, m, d = f"substr({c}, 7, 4)::int", f"substr({c}, 4, 2)::int", f"substr({c}, 1, 2)::int"
    hh = f"(CASE WHEN length({c}) >= 16 THEN substr({c}, 12, 2)::int ELSE 0 END)"
    mi = f"(CASE WHEN length({c}) >= 16 THEN substr({c}, 15, 2)::int ELSE 0 END)"
    ss = f"(CASE WHEN length({c}) = 19 THEN substr({c}, 18, 2)::int ELSE 0 END)"
    leap = f"(mod({y}, 4) = 0 AND (mod({y}, 100) <> 0 OR mod({y}, 400) = 0))"
    days = f"(ARRAY[31, CASE WHEN {leap} THEN 29 ELSE 28 END, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[{m}]"
    return (
        f"(CASE WHEN {c} ~ '{STRICT_PATTERN}' THEN"
        f" CASE WHEN {y} >= {FIRST_SQL_YEAR} AND {m} BETWEEN 1 AND 12 THEN"
        f" CASE WHEN {d} BETWEEN 1 AND {days} AND {hh} <= 23 AND {mi} <= 59 AND {ss} <= 59 THEN"
        f" make_timestamptz({y}, {m}, {d}, {hh}, {mi}, {ss}, '{TZ}') END END END)"
    )


def time_of_day_sql(column: str) -> str:
    """SQL: the interval of a time of day written ` HH:MM[:SS]` (or '' for none: midnight),
    else NULL."""
    c = column
    hh, mi = f"substr({c}, 2, 2)::int", f"substr({c}, 5, 2)::int"
    ss = f"(CASE WHEN length({c}) = 9 THEN substr({c}, 8, 2)::int ELSE 0 END)"
    return (
        f"(CASE WHEN {c} = '' THEN interval '0' WHEN {c} ~ '^ [0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}})?$' THEN"
        f" CASE WHEN {hh} <= 23 AND {mi} <= 59 AND {ss} <= 59 THEN make_interval(hours => {hh}, mins => {mi},"
        f" secs => {ss}) END END)"
    )


def date_sql(column: str) -> str:
    """SQL: what the import computes for a date cell, from its day and its time of day (in
    the import, each is converted once per distinct value and joined): the timestamptz of
    a valid `dd/mm/yyyy[ HH:MM[:SS]]` from FIRST_SQL_YEAR on, else NULL (the Checker's)."""
    return f"({strict_date_sql(f'left({column}, 10)')} + {time_of_day_sql(f'substr({column}, 11)')})"


def iso_sql(expr: str) -> str:
    """SQL: `datetime.isoformat()` of an aware datetime in HCM_TZ (whole seconds)."""
    local = f"({expr} AT TIME ZONE '{TZ}')"
    return (
        f"(to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"'+' || to_char({local} - ({expr} AT TIME ZONE 'UTC'), 'HH24:MI'))"
    )


def plain_key_sql(column: str) -> str:
    """SQL: whether `column` is a plain key, 1 to 80 printable ASCII characters but the space
    and the apostrophe (the Checker keeps these as they are). The regular expression is
    unbounded, the length tested apart: PostgreSQL ran `{1,80}` fifteen times slower (5 s
    for a million keys)."""
    return f"(octet_length({column}) BETWEEN 1 AND 80 AND {column} ~ '^[!-&(-~]+$')"


def short_decimal_sql(column: str) -> str:
    """SQL: whether `column` is a plain decimal (`-?digits[.digits]`) with at most six
    places: PostgreSQL's float8 reads it as Python's float() does (both correctly rounded),
    and round(value, 6) gives the value itself. Unbounded expression, places counted apart
    (see plain_key_sql)."""
    return (
        f"({column} ~ '^-?[0-9]+(\\.[0-9]+)?$' AND "
        f"(strpos({column}, '.') = 0 OR octet_length({column}) - strpos({column}, '.') <= 6))"
    )


def iso_recent_sql(expr: str) -> str:
    """iso_sql(expr), with the offset written out for instants from FIRST_SQL_YEAR on (+07:00,
    Asia/Ho_Chi_Minh's only offset since 1975): one to_char instead of two and a subtraction
    per row; earlier instants take iso_sql."""
    return (
        f"(CASE WHEN {expr} >= timestamptz '{FIRST_SQL_YEAR}-01-01 00:00:00+07' THEN "
        f"to_char({expr} AT TIME ZONE '{TZ}', 'YYYY-MM-DD\"T\"HH24:MI:SS\"+07:00\"') "
        f"ELSE {iso_sql(expr)} END)"
    )


class CopyImport:
    """One attempt at the fast path, inside the import's transaction (io_import._run)."""

    def __init__(
        self, *, result, unit, path: Path, header: list[str], columns: dict[str, int], checker: Checker
    ):
        self.result = result
        self.unit = unit
        self.path = path
        self.header = header
        self.columns = columns
        self.checker = checker
        self.look = checker.look
        self.cursor = None
        self.timings: dict[str, float] = result.timings  # seconds per step, for profiling

    @contextlib.contextmanager
    def step(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    # Helpers --------------------------------------------------------------------------

    def col(self, name: str) -> str:
        """The staging column holding field `name` (NULL::text when the file has none)."""
        index = self.columns.get(name)
        return "NULL::text" if index is None else f"s.c{index}"

    def sql(self, query: str, params: Sequence[Any] | None = None):
        self.cursor.execute(query, params)
        return self.cursor

    def rows(self, query: str, params: Sequence[Any] | None = None) -> list[tuple]:
        return self.sql(query, params).fetchall()

    def scalar(self, query: str, params: Sequence[Any] | None = None):
        return self.sql(query, params).fetchone()[0]

    def load(self, table: str, spec: str, rows: Sequence[tuple]) -> None:
        """A temporary table `table` (`spec`: its columns) filled with `rows` by COPY."""
        self.sql(f"CREATE TEMP TABLE {table} ({spec}) ON COMMIT DROP")
        if rows:
            with self.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def distinct(self, expr: str, where: str = "TRUE") -> list[str]:
        return [r[0] for r in self.rows(f"SELECT DISTINCT coalesce({expr}, '') FROM {STAGE} s WHERE {where}")]  # noqa: S608 - built here

    def probe(self, run: Callable[[], Any]) -> Any:
        """Run one of the Checker's own steps; a problem it reports sends the file to the
        Python path (which reports it with its row number)."""
        before = len(self.checker.problems)
        value = run()
        if len(self.checker.problems) > before:
            del self.checker.problems[before:]
            raise Fallback("a bad value")
        return value

    # The attempt ----------------------------------------------------------------------

    def run(self, *, max_rows: int) -> list[int]:
        unknown = set(self.columns) - FIELDS
        if unknown:
            raise Fallback(f"fields {sorted(unknown)}")
        connection.ensure_connection()
        self.cursor = connection.connection.cursor()  # psycopg's own (COPY), in the import's transaction
        self.temp_buffers()
        self.cleanup()
        # The staging tables have no statistics (ANALYZE of wide text tables costs more than
        # it saves): hash joins against the small maps, in memory, are what every join here
        # wants; without this the planner sorts millions of rows on disk for merge joins.
        self.sql("SET LOCAL work_mem = '256MB'")
        self.sql("SET LOCAL enable_mergejoin = off")
        with self.step("copy into staging"):
            self.stage()
        total = self.scalar(f"SELECT count(*) FROM {STAGE}")  # noqa: S608
        if max_rows and total > max_rows:
            raise Fallback("too many rows")
        self.result.rows = total
        if "number" in self.columns and self.scalar(
            f"SELECT count(*) FROM {STAGE} s WHERE btrim({self.col('number')}) <> ''"  # noqa: S608
        ):
            raise Fallback("incident numbers given")
        self.maps()
        with self.step("typed rows and links (SQL)"):
            self.typed()
        with self.step("row checks (SQL)"):
            self.check_rows()
        with self.step("match existing"):
            return self.match()

    def temp_buffers(self) -> None:
        """Room in memory for the staging tables. PostgreSQL keeps a session's temporary tables
        in its own buffers (temp_buffers, 8 MB by default) and writes every page beyond them to
        a file and reads it back, pass after pass: a million rows make about 1.5 GB of staging
        tables. Sized to the file (8 times its bytes, 2 GB at most; taken only as pages are
        used), for the session: the setting may change only before the session's first
        temporary table, so a connection that already used one keeps its size (savepoint)."""
        size_mb = min(2048, max(8, (self.path.stat().st_size * 8) >> 20))
        self.sql("SAVEPOINT imp_temp_buffers")
        try:
            self.sql(f"SET temp_buffers = '{size_mb}MB'")
        except psycopg.Error:
            self.sql("ROLLBACK TO SAVEPOINT imp_temp_buffers")
        self.sql("RELEASE SAVEPOINT imp_temp_buffers")

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
            self.cursor = None

    def stage(self) -> None:
        """COPY the file into the staging table."""
        with open(self.path, "rb") as fh:
            data = fh.read()
        if data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        if b"\n\\." in data or b"\r\\." in data or data.startswith(b"\\."):
            raise Fallback("a line COPY would read as its end marker")
        first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
        delimiter = max((",", ";", "\t"), key=first.count)
        n = len(self.header)
        cells = ", ".join(f"c{i} text" for i in range(n))
        self.sql(
            f"CREATE TEMP TABLE {STAGE} (ord bigint GENERATED ALWAYS AS IDENTITY, {cells}) ON COMMIT DROP"
        )
        names = ", ".join(f"c{i}" for i in range(n))
        escaped = "E'\\t'" if delimiter == "\t" else f"'{delimiter}'"
        with self.cursor.copy(
            f"COPY {STAGE} ({names}) FROM STDIN (FORMAT csv, HEADER true, DELIMITER {escaped}, ENCODING 'UTF8')"
        ) as copy:
            view = memoryview(data)
            for start in range(0, len(data), 1 << 20):
                copy.write(view[start : start + (1 << 20)])
        blank = " AND ".join(f"coalesce(btrim(c{i}), '') = ''" for i in range(n))
        self.sql(f"DELETE FROM {STAGE} WHERE {blank}")  # noqa: S608 - the CSV reader skips them

    def maps(self) -> None:
        with self.step("distinct values (Python)"):
            self._maps()
        with self.step("points"):
            self.points()

    def _maps(self) -> None:
        """Check and convert each distinct value of the low-cardinality columns, and of the
        keys and texts, with the Checker's lookups and helpers."""
        look, checker = self.look, self.checker

        def kind(raw: str) -> tuple:
            value = look.kinds.get(fast_fold(raw.strip()))
            if value is None:
                raise Fallback("kind")
            return (raw, value)

        def premises(raw: str) -> tuple:
            text = raw.strip()
            value = look.premises.get(fast_fold(text)) if text else "other"
            if value is None:
                raise Fallback("premises")
            return (raw, value)

        def synthetic(raw: str) -> tuple:
            text = raw.strip()
            if not text:
                return (raw, False)
            folded = fast_fold(text)
            if folded in TRUE_WORDS:
                return (raw, True)
            if folded not in FALSE_WORDS:
                raise Fallback("synthetic")
            return (raw, False)

        def losses(raw: str) -> tuple:
            if not raw.strip():
                return (raw, 0)
            try:
                return (raw, parse_vnd_cell(raw))
            except ValidationProblem:
                raise Fallback("losses") from None

        self.load("imp_kind", "raw text, value text", [kind(v) for v in self.distinct(self.col("kind"))])
        self.load(
            "imp_premises", "raw text, value text", [premises(v) for v in self.distinct(self.col("premises"))]
        )
        self.load(
            "imp_synthetic",
            "raw text, value boolean",
            [synthetic(v) for v in self.distinct(self.col("synthetic"))],
        )
        self.load(
            "imp_losses", "raw text, value bigint", [losses(v) for v in self.distinct(self.col("losses_vnd"))]
        )

        # Unit and review, as pairs: whether a review state may be given depends on the unit.
        pairs = []
        for unit_raw, review_raw in self.rows(
            f"SELECT DISTINCT coalesce({self.col('unit_code')}, ''), coalesce({self.col('review_status')}, '') "  # noqa: S608
            f"FROM {STAGE} s"
        ):
            unit_text, review_text = unit_raw.strip(), review_raw.strip()
            unit_id = self.checker.default_unit_id
            if unit_text:
                unit_id = look.unit_by_code.get(unit_text.upper())
                if unit_id is None or unit_id not in look.acting:
                    raise Fallback("unit")
            review = None
            if review_text:
                review = look.reviews.get(fast_fold(review_text))
                if review is None:
                    raise Fallback("review")
                if review in (ReviewStatus.APPROVED, ReviewStatus.RETURNED) and not look.may_review(unit_id):
                    raise Fallback("review refused")
            pairs.append((unit_raw, review_raw, unit_id, review))
        self.load("imp_unit", "unit_raw text, review_raw text, unit_id bigint, review text", pairs)

        # Keys: plain ones (ASCII, no space, not led by a spreadsheet's apostrophe) are
        # kept as they are, as the Checker would; the rest go through its _text.
        key = self.col("external_id")
        keys = [
            (
                raw,
                self.probe(
                    lambda raw=raw: checker._text(
                        {"external_id": raw.strip()}, "external_id", 0, normalise=False
                    )
                )
                or None,
            )
            for raw in self.distinct(key, f"NOT coalesce({plain_key_sql(key)}, false)")
        ]
        self.load("imp_key", "raw text, value text", keys)

        # Texts: normalised (and folded, for the search key) once per distinct value.
        for name in ("address", "narrative"):
            with self.step(f"  of which {name}es" if name == "address" else f"  of which {name}s"):
                out = []
                for raw in self.distinct(self.col(name)):
                    value = self.probe(lambda raw=raw, name=name: checker._text({name: raw.strip()}, name, 0))
                    out.append((raw, value, fast_fold(value) if value else ""))
                self.load(f"imp_{name}", "raw text, value text, folded text", out)

        # Articles: each distinct list, parsed once (article and clause per position).
        articles = []
        for raw in self.distinct(self.col("articles")):
            text = raw.strip()
            if not text:
                continue
            parsed = checker._articles(text)
            if isinstance(parsed, Problem):
                raise Fallback("articles")
            articles.extend((raw, pos, article, clause) for pos, (article, clause) in enumerate(parsed))
        self.load("imp_articles", "raw text, pos int, article text, clause smallint", articles)

        # Dates: the distinct days (dd/mm/yyyy) and times of day ( HH:MM[:SS]) of the three
        # columns, converted in SQL (few: a day per day, a time per minute); every value
        # they do not describe goes through the Checker's _when after (dates_by_python).
        names = ("occurred_from", "occurred_to", "reported_at")
        days = " UNION ".join(f"SELECT left({self.col(n)}, 10) AS k FROM {STAGE} s" for n in names)  # noqa: S608
        times = " UNION ".join(f"SELECT substr({self.col(n)}, 11) AS k FROM {STAGE} s" for n in names)  # noqa: S608
        self.sql(
            f"CREATE TEMP TABLE imp_days ON COMMIT DROP AS SELECT k, {strict_date_sql('k')} AS day "  # noqa: S608
            f"FROM ({days}) d WHERE k IS NOT NULL"
        )
        self.sql(
            f"CREATE TEMP TABLE imp_times ON COMMIT DROP AS SELECT k, {time_of_day_sql('k')} AS tod "  # noqa: S608
            f"FROM ({times}) t WHERE k IS NOT NULL"
        )

    def dates_by_python(self) -> None:
        """The dates SQL left (any other form, before 1976, invalid, blank): the Checker's
        _when, once per distinct value; a problem sends the file to the Python path."""
        checker = self.checker
        for name, required in (("occurred_from", True), ("occurred_to", False), ("reported_at", True)):
            values = []
            for (raw,) in self.rows(
                f"SELECT DISTINCT {name}_raw FROM imp_rows WHERE {name} IS NULL"  # noqa: S608 - constants
                + ("" if required else f" AND {name}_raw <> ''")
            ):
                value = self.probe(
                    lambda raw=raw, name=name, required=required: checker._when(
                        {name: raw}, name, 0, required=required
                    )
                )
                values.append((raw, value))
            if values:
                self.load(f"imp_date_{name}", "raw text, value timestamptz", values)
                self.sql(
                    f"UPDATE imp_rows r SET {name} = d.value FROM imp_date_{name} d "  # noqa: S608 - constants
                    f"WHERE r.{name} IS NULL AND d.raw = r.{name}_raw"
                )

    def points(self) -> None:
        """The commune of every row: from its point (one vectorised PointIndex call), or its code.

        Points written as plain decimals of at most six places (nearly all) never pass through
        Python one by one: PostgreSQL reads them as float() does (both correctly rounded), the
        pairs come out as one binary COPY into numpy, and go back with their commune indices
        the same way; round(v, 6) of such a value is the value itself. Any other form goes
        through the loop, with the Checker's parse_float_cell and round(v, 6) as before."""
        lat, lon = self.col("lat"), self.col("lon")
        # The short decimals, read once; every other point goes through the loop below.
        self.sql(
            f"CREATE TEMP TABLE imp_short ON COMMIT DROP AS SELECT ord, {lat}::float8 AS lat, {lon}::float8 AS lon "  # noqa: S608
            f"FROM {STAGE} s WHERE {short_decimal_sql(lat)} AND {short_decimal_sql(lon)}"
        )
        found = []
        plain = "'^-?[0-9]{1,3}\\.[0-9]{1,17}$'"
        for ord_, lat_raw, lon_raw, y, x in self.rows(
            f"SELECT ord, {lat}, {lon}, CASE WHEN {lat} ~ {plain} THEN {lat}::float8 END, "  # noqa: S608
            f"CASE WHEN {lon} ~ {plain} THEN {lon}::float8 END "
            f"FROM {STAGE} s WHERE (coalesce({lat}, '') <> '' OR coalesce({lon}, '') <> '') "
            "AND NOT EXISTS (SELECT 1 FROM imp_short p WHERE p.ord = s.ord)"
        ):
            if y is not None and x is not None:  # plain decimals, read by PostgreSQL as float() would
                if not (-90 <= y <= 90 and -180 <= x <= 180):
                    raise Fallback("point")
                found.append((ord_, y, x))
                continue
            lat_text, lon_text = (lat_raw or "").strip(), (lon_raw or "").strip()
            if (lat_text != "") != (lon_text != ""):
                raise Fallback("half a point")
            if not lat_text:
                continue
            try:
                y, x = parse_float_cell(lat_raw), parse_float_cell(lon_raw)
            except ValueError:
                raise Fallback("point") from None
            if not (-90 <= y <= 90 and -180 <= x <= 180):
                raise Fallback("point")
            found.append((ord_, y, x))
        with self.cursor.copy("COPY imp_short (ord, lat, lon) TO STDOUT (FORMAT binary)") as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
        pairs = np.frombuffer(
            data, dtype=_POINT_OUT, offset=19, count=(len(data) - 21) // _POINT_OUT.itemsize
        )
        if len(pairs) and not ((np.abs(pairs["lat"]) <= 90).all() and (np.abs(pairs["lon"]) <= 180).all()):
            raise Fallback("point")
        self.checker.points = self.checker.points or PointIndex()
        index = self.checker.points
        self.load("imp_point_codes", "ix int, code text", list(enumerate(index.codes)))
        where = index.indices(pairs["lat"].astype(float), pairs["lon"].astype(float))
        if (where < 0).any():
            raise Fallback("point outside")
        out = np.zeros(len(pairs), dtype=_POINT_IN)
        out["n"], out["ord"], out["ix"], out["lat"], out["lon"] = (
            4,
            pairs["ord"],
            where,
            pairs["lat"],
            pairs["lon"],
        )
        out["l1"], out["l2"], out["l3"], out["l4"] = 8, 4, 8, 8
        self.sql(
            "CREATE TEMP TABLE imp_points (ord bigint, ix int, lat double precision, lon double precision) ON COMMIT DROP"
        )
        with self.cursor.copy("COPY imp_points (ord, ix, lat, lon) FROM STDIN (FORMAT binary)") as copy:
            copy.write(_PGCOPY_HEADER + out.tobytes() + b"\xff\xff")
        if found:
            codes = index.indices(np.array([y for _o, y, _x in found]), np.array([x for _o, _y, x in found]))
            if (codes < 0).any():
                raise Fallback("point outside")
            with self.cursor.copy("COPY imp_points (ord, ix, lat, lon) FROM STDIN") as copy:
                for (ord_, y, x), ix in zip(found, codes.tolist(), strict=True):
                    copy.write_row((ord_, ix, round(y, 6), round(x, 6)))
        communes = []
        code = self.col("commune_code")
        for raw in self.distinct(code, "NOT EXISTS (SELECT 1 FROM imp_points p WHERE p.ord = s.ord)"):
            text = raw.strip()
            if not text or text.zfill(5) not in self.look.communes:
                raise Fallback("commune")
            communes.append((raw, text.zfill(5)))
        self.load("imp_commune", "raw text, value text", communes)

    def typed(self) -> None:
        """imp_rows: every row's values as the Checker would give them."""
        c = self.col
        names = ("occurred_from", "occurred_to", "reported_at")
        dates = {
            name: f"dy_{name}.day + tm_{name}.tod AS {name}, coalesce({c(name)}, '') AS {name}_raw"
            for name in names
        }
        date_joins = " ".join(
            f"LEFT JOIN imp_days dy_{name} ON dy_{name}.k = left({c(name)}, 10) "
            f"LEFT JOIN imp_times tm_{name} ON tm_{name}.k = substr({c(name)}, 11)"
            for name in names
        )
        key = c("external_id")
        self.sql(
            f"""
            CREATE TEMP TABLE imp_rows ON COMMIT DROP AS
            SELECT s.ord,
                   CASE WHEN {plain_key_sql(key)} THEN {key} ELSE k.value END AS external_id,
                   kd.value AS kind,
                   {dates["occurred_from"]},
                   {dates["occurred_to"]},
                   {dates["reported_at"]},
                   coalesce(pc.code, cm.value) AS commune_id,
                   ad.value AS address, ad.folded AS address_folded,
                   p.lat, p.lon,
                   pr.value AS premises,
                   na.value AS narrative, na.folded AS narrative_folded,
                   u.unit_id AS responsible_unit_id,
                   lo.value AS losses_vnd,
                   u.review AS review_status,
                   sy.value AS is_synthetic,
                   coalesce({c("articles")}, '') AS articles
            FROM {STAGE} s
            LEFT JOIN imp_key k ON k.raw = coalesce({key}, '')
            LEFT JOIN imp_kind kd ON kd.raw = coalesce({c("kind")}, '')
            {date_joins}
            LEFT JOIN imp_points p ON p.ord = s.ord
            LEFT JOIN imp_point_codes pc ON pc.ix = p.ix
            LEFT JOIN imp_commune cm ON p.ord IS NULL AND cm.raw = coalesce({c("commune_code")}, '')
            LEFT JOIN imp_address ad ON ad.raw = coalesce({c("address")}, '')
            LEFT JOIN imp_narrative na ON na.raw = coalesce({c("narrative")}, '')
            LEFT JOIN imp_premises pr ON pr.raw = coalesce({c("premises")}, '')
            LEFT JOIN imp_unit u ON u.unit_raw = coalesce({c("unit_code")}, '')
                                AND u.review_raw = coalesce({c("review_status")}, '')
            LEFT JOIN imp_losses lo ON lo.raw = coalesce({c("losses_vnd")}, '')
            LEFT JOIN imp_synthetic sy ON sy.raw = coalesce({c("synthetic")}, '')
            """  # noqa: S608 - built from the staging table's own column names
        )
        self.dates_by_python()
        # Offence links: the version of each article in force on the day it occurred.
        self.sql(
            f"""
            CREATE TEMP TABLE imp_links ON COMMIT DROP AS
            SELECT DISTINCT ON (r.ord, a.pos) r.ord, a.pos, a.article, a.clause, o.id AS offence_id,
                   o."group" AS offence_group
            FROM imp_rows r
            JOIN imp_articles a ON a.raw = r.articles
            LEFT JOIN {Offence._meta.db_table} o ON lower(o.article) = a.article
                 AND o.valid_from <= (r.occurred_from AT TIME ZONE '{TZ}')::date
                 AND (o.valid_to IS NULL OR o.valid_to >= (r.occurred_from AT TIME ZONE '{TZ}')::date)
            ORDER BY r.ord, a.pos, o.valid_from DESC
            """  # noqa: S608
        )
        # Per row: the timeline's labels ("173/1 *") and the group of the main offence.
        self.sql(
            """
            CREATE TEMP TABLE imp_labels ON COMMIT DROP AS
            SELECT ord,
                   jsonb_agg(article || CASE WHEN clause IS NOT NULL AND clause <> 0 THEN '/' || clause::text ELSE '' END
                             || CASE WHEN pos = 0 THEN ' *' ELSE '' END ORDER BY pos) AS labels,
                   max(offence_group) FILTER (WHERE pos = 0) AS offence_group
            FROM imp_links GROUP BY ord
            """
        )

    def check_rows(self) -> None:
        """The checks that join columns (the Checker's order of dates, articles and kind,
        keys); any failure: the Python path. A crime whose articles give no article at all
        (blank, or only separators) goes there too: the Checker tells the two apart."""
        now = self.checker.now + CLOCK_SKEW
        bad = self.scalar(
            """
            SELECT count(*) FROM imp_rows r WHERE
                r.external_id IS NULL OR r.kind IS NULL OR r.occurred_from IS NULL OR r.reported_at IS NULL
                OR r.occurred_from > %s OR r.reported_at > %s OR r.occurred_to > %s
                OR r.occurred_to < r.occurred_from OR r.occurred_from > r.reported_at
                OR r.occurred_to > r.reported_at
                OR (r.kind = %s AND NOT EXISTS (SELECT 1 FROM imp_articles a WHERE a.raw = r.articles))
            """,
            [now, now, now, IncidentKind.CRIME],
        )
        if bad:
            raise Fallback("rows with problems")
        if self.scalar("SELECT count(*) FROM imp_links WHERE offence_id IS NULL"):
            raise Fallback("articles not in force")
        if self.scalar(
            "SELECT count(*) FROM (SELECT 1 FROM imp_rows GROUP BY external_id HAVING count(*) > 1) d"
        ):
            raise Fallback("duplicate external ids")

    def match(self) -> list[int]:
        """Rows matching existing incidents by external id: those unchanged are counted, the
        changed ones returned (ordinals) for the Python path; new rows left in imp_new."""
        incident = Incident._meta.db_table
        self.sql(
            f"""
            CREATE TEMP TABLE imp_match ON COMMIT DROP AS
            SELECT r.ord, i.id FROM imp_rows r JOIN {incident} i ON i.external_id = r.external_id
            """  # noqa: S608
        )
        matched = self.scalar("SELECT count(*) FROM imp_match")
        if matched and not self.look.system:
            visible_sql, params = self.look.visible.values("pk").query.sql_with_params()
            seen = self.scalar(
                f"SELECT count(*) FROM imp_match m WHERE m.id IN ({visible_sql})",  # noqa: S608 - Django's SQL
                params,
            )
            if seen != matched:
                raise Fallback("an external id outside the importer's scope")
        changed: list[int] = []
        if matched:
            links = IncidentOffence._meta.db_table
            plain = [
                "kind",
                "occurred_from",
                "occurred_to",
                "reported_at",
                "commune_id",
                "address",
                "lat",
                "lon",
                "premises",
                "narrative",
                "responsible_unit_id",
            ]
            new_values = ", ".join(f"r.{name}" for name in plain)
            compared = ", ".join(f"i.{name}" for name in plain)
            changed = [
                row[0]
                for row in self.rows(
                    f"""
                    WITH new_links AS (
                        SELECT ord, array_agg(offence_id::text || '/' || coalesce(clause, 0)::text || '/' || (pos = 0)::text
                                              ORDER BY offence_id, coalesce(clause, 0), pos = 0) AS links,
                               min(offence_group) FILTER (WHERE pos = 0) AS offence_group
                        FROM imp_links WHERE ord IN (SELECT ord FROM imp_match) GROUP BY ord
                    ), old_links AS (
                        SELECT incident_id, array_agg(offence_id::text || '/' || coalesce(clause, 0)::text || '/' || is_main::text
                                                      ORDER BY offence_id, coalesce(clause, 0), is_main) AS links
                        FROM {links} WHERE incident_id IN (SELECT id FROM imp_match) GROUP BY incident_id
                    )
                    SELECT m.ord FROM imp_match m
                    JOIN imp_rows r ON r.ord = m.ord
                    JOIN {incident} i ON i.id = m.id
                    LEFT JOIN new_links nl ON nl.ord = m.ord
                    LEFT JOIN old_links ol ON ol.incident_id = m.id
                    WHERE ({new_values}, coalesce(nl.offence_group, ''), r.losses_vnd,
                           coalesce(r.review_status, i.review_status), r.is_synthetic, coalesce(nl.links, '{{}}'))
                          IS DISTINCT FROM
                          ({compared}, i.offence_group, i.losses_vnd, i.review_status, i.is_synthetic,
                           coalesce(ol.links, '{{}}'))
                    ORDER BY m.ord
                    """  # noqa: S608
                )
            ]
        self.result.unchanged += matched - len(changed)
        self.sql(
            # A view, not a copy of every new row: each use is one hash anti-join (none when
            # nothing matched), where the copy wrote the widest table of the import again.
            "CREATE TEMP VIEW imp_new AS SELECT r.* FROM imp_rows r "  # noqa: S608 - constants
            + ("WHERE NOT EXISTS (SELECT 1 FROM imp_match m WHERE m.ord = r.ord)" if matched else "")
        )
        self.result.created = self.scalar("SELECT count(*) FROM imp_new")
        return changed

    def cleanup(self) -> None:
        """Drop the staging tables (ON COMMIT DROP does it at commit; a caller's outer
        transaction, a test's, may run another import before committing)."""
        self.sql("DROP VIEW IF EXISTS imp_new")
        self.sql(f"DROP TABLE IF EXISTS {', '.join(TEMP_TABLES)}")
        self.sql("SET LOCAL work_mem TO DEFAULT")
        self.sql("SET LOCAL enable_mergejoin TO DEFAULT")

    def changed_cells(self, ords: list[int]) -> list[tuple[int, list[str]]]:
        """(row number, cells as the CSV reader gives them) of these rows."""
        n = len(self.header)
        names = ", ".join(f"c{i}" for i in range(n))
        return [
            (row[0] + 1, ["" if v is None else v for v in row[1:]])
            for row in self.rows(f"SELECT ord, {names} FROM {STAGE} WHERE ord = ANY(%s) ORDER BY ord", [ords])  # noqa: S608
        ]

    # Writing new incidents ------------------------------------------------------------

    def number(self, writer) -> None:
        """Register numbers for the new incidents: per (unit, year reported), in file order,
        from each register's counter (locked by the writer, written back at its finish)."""
        # Each new row's register (unit, year reported) once: the year in Vietnam time costs a
        # time-zone conversion per row, which the grouping, the window and the joins all need.
        self.sql(
            "CREATE TEMP TABLE imp_years ON COMMIT DROP AS SELECT r.ord, r.responsible_unit_id AS unit_id, "  # noqa: S608 - constants
            f"extract(year FROM r.reported_at AT TIME ZONE '{TZ}')::int AS year FROM imp_new r"
        )
        groups = self.rows("SELECT unit_id, year, count(*) FROM imp_years GROUP BY 1, 2")
        if not groups:
            return
        writer._counters({(u, y) for u, y, _n in groups})
        bases = []
        for unit_id, year, count in groups:
            code = self.look.unit_code[unit_id][:23]
            if not code.isascii() or code.split() != [code]:
                raise Fallback("a unit code the search key would fold")
            counter = writer.counters[(unit_id, year)]
            bases.append((unit_id, year, counter.last, code))
            counter.last += count
        self.load("imp_base", "unit_id bigint, year int, base int, code text", bases)
        # The sequence's oid once: pg_get_serial_sequence() inside the query ran per row
        # (a catalog lookup each time, 5 s for a million ids).
        sequence = self.scalar(
            "SELECT pg_get_serial_sequence(%s, %s)::regclass::oid", [Incident._meta.db_table, "id"]
        )
        self.sql(
            f"""
            CREATE TEMP TABLE imp_numbered ON COMMIT DROP AS
            SELECT n.ord,
                   nextval({int(sequence)}::oid::regclass) AS id,
                   'VV-' || b.code || '-' || lpad(n.year::text, 4, '0') || '-' ||
                       CASE WHEN b.base + n.seq < 1000000 THEN lpad((b.base + n.seq)::text, 6, '0')
                            ELSE (b.base + n.seq)::text END AS number
            FROM (
                SELECT y.ord, y.unit_id, y.year, row_number() OVER (PARTITION BY y.unit_id, y.year ORDER BY y.ord) AS seq
                FROM imp_years y
            ) n JOIN imp_base b ON b.unit_id = n.unit_id AND b.year = n.year
            ORDER BY n.ord
            """  # noqa: S608
        )
        taken = self.scalar(
            f"SELECT count(*) FROM imp_numbered n JOIN {Incident._meta.db_table} i ON i.number = n.number"  # noqa: S608
        )
        if taken:
            raise Fallback("register numbers already taken")

    def write(self, writer, actor) -> None:
        """INSERT ... SELECT the new incidents, their links, losses and timeline entries."""
        if not self.result.created:
            return
        with self.step("numbers"):
            self.number(writer)
        with self.step("quiet writes: triggers checked"):
            quiet = QuietWrites.start(self.cursor)
        actor_id = actor.pk
        snapshot_offences = "coalesce(lb.labels, '[]'::jsonb)"
        group = "coalesce(lb.offence_group, '')"
        insert_select(
            Incident,
            {
                "id": "n.id",
                "number": "n.number",
                "external_id": "r.external_id",
                "kind": "r.kind",
                "occurred_from": "r.occurred_from",
                "occurred_to": "r.occurred_to",
                "reported_at": "r.reported_at",
                "commune_id": "r.commune_id",
                "address": "r.address",
                "lat": "r.lat",
                "lon": "r.lon",
                "premises": "r.premises",
                "narrative": "r.narrative",
                "responsible_unit_id": "r.responsible_unit_id",
                "offence_group": group,
                "losses_vnd": "r.losses_vnd",
                "search_key": "concat_ws(' ', lower(n.number), nullif(r.address_folded, ''), nullif(r.narrative_folded, ''))",
                "review_status": f"coalesce(r.review_status, '{ReviewStatus.DRAFT}')",
                "created_by_id": "%(actor)s",
                "is_synthetic": "r.is_synthetic",
            },
            "imp_new r JOIN imp_numbered n ON n.ord = r.ord LEFT JOIN imp_labels lb ON lb.ord = r.ord",
            {"actor": actor_id},
            self.cursor,
            self.timings,
            order="r.ord",
            quiet=quiet,
        )
        insert_select(
            IncidentOffence,
            {
                "incident_id": "n.id",
                "offence_id": "l.offence_id",
                "clause": "l.clause",
                "is_main": "l.pos = 0",
            },
            "imp_links l JOIN imp_numbered n ON n.ord = l.ord",
            {},
            self.cursor,
            self.timings,
            order="l.ord, l.pos",
            quiet=quiet,
            own={"incident_id"},
        )
        from anninh.records.services.io_import import IMPORT_EVENT, LOSS_DESCRIPTION

        insert_select(
            IncidentLoss,
            {
                "incident_id": "n.id",
                "description": "%(description)s",
                "value_vnd": "r.losses_vnd",
                "recovered": "false",
            },
            "imp_new r JOIN imp_numbered n ON n.ord = r.ord WHERE r.losses_vnd <> 0",
            {"description": LOSS_DESCRIPTION},
            self.cursor,
            self.timings,
            order="r.ord",
            quiet=quiet,
            own={"incident_id"},
        )
        snapshot = (
            "jsonb_build_object('id', n.id, 'number', n.number, 'external_id', r.external_id, 'kind', r.kind, "
            f"'occurred_from', {iso_recent_sql('r.occurred_from')}, 'commune_id', r.commune_id, "
            "'responsible_unit_id', r.responsible_unit_id, 'losses_vnd', r.losses_vnd, "
            f"'review_status', coalesce(r.review_status, '{ReviewStatus.DRAFT}'), 'offences', {snapshot_offences})"
        )
        insert_select(
            RecordEvent,
            {
                "object_type": "'records.incident'",
                "object_id": "n.id",
                "actor_id": "%(actor)s",
                "actor_name": "%(actor_name)s",
                "kind": "%(kind)s",
                "to_status": f"coalesce(r.review_status, '{ReviewStatus.DRAFT}')",
                "comment": "%(comment)s",
                "version": "1",
                "snapshot": snapshot,
                "changes": "'{}'::jsonb",
            },
            "imp_new r JOIN imp_numbered n ON n.ord = r.ord LEFT JOIN imp_labels lb ON lb.ord = r.ord",
            {
                "actor": actor_id,
                "actor_name": writer.actor_name,
                "kind": IMPORT_EVENT,
                "comment": writer.comment,
            },
            self.cursor,
            self.timings,
            order="r.ord",
            quiet=quiet,
        )
        if quiet:
            with self.step("quiet writes: references"):
                quiet.finish()
            # After finish(): the upsert into the monthly counts runs with the triggers on.
            with self.step("quiet writes: monthly counts"):
                quiet.monthly_counts(
                    "(SELECT r.occurred_from, r.commune_id, r.responsible_unit_id, r.kind, r.losses_vnd, "
                    "coalesce(lb.offence_group, '') AS offence_group "
                    "FROM imp_new r LEFT JOIN imp_labels lb ON lb.ord = r.ord)"
                )


def insert_select(
    model,
    given: dict[str, str],
    source: str,
    params: dict[str, Any],
    cursor,
    timings: dict[str, float] | None = None,
    *,
    order: str = "",
    quiet: QuietWrites | None = None,
    own: set[str] = frozenset(),
) -> None:
    """INSERT INTO the model's table SELECT `given` (SQL per field) FROM `source` ORDER BY
    `order`: every other column gets what FastTable would write (its default, auto_now's
    time, ''). With `quiet` (the triggers off), the foreign keys of the rows are noted for
    QuietWrites.finish, except the columns in `own` (references to rows this import has just
    inserted itself)."""
    quote = connection.ops.quote_name
    table = FastTable(model, list(given))
    columns, values = [], []
    params = dict(params)
    for f, (kind, ref, _convert) in zip(table.fields, table._plan, strict=True):
        if f.attname in given:
            expression = given[f.attname]
        elif kind == "pk":
            continue  # the column's identity default
        else:
            name = f"k_{f.column}"
            params[name] = ref
            expression = f"%({name})s::{f.db_type(connection)}"
        columns.append(quote(f.column))
        values.append(expression)
    ordered = f" ORDER BY {order}" if order else ""
    sql = f"INSERT INTO {quote(table.table)} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}{ordered}"  # noqa: S608 - names from the model's meta
    started = time.perf_counter()
    cursor.execute(sql, params)
    if timings is not None:
        timings[f"insert {model._meta.model_name}"] = time.perf_counter() - started
    if quiet is not None:
        expressions = {column.strip('"'): value for column, value in zip(columns, values, strict=True)}
        quiet.note(table.table, expressions, source, params, own=own)


class QuietWrites:
    """The fast path's inserts with the row triggers off, and what those triggers would have
    done, done once per import instead.

    PostgreSQL checks a foreign key with a trigger per inserted row (about eight per incident
    here: its commune, unit and author, its offence links, losses and timeline entry), and
    Django's foreign keys are deferred, so they all ran at the commit: a quarter of the
    import's time. With `session_replication_role = replica` (SET LOCAL: this transaction,
    this connection only) no ordinary or foreign-key trigger fires for the import's inserts;
    then, still before the commit:

    - each foreign key of the inserted rows is checked once per distinct value: the
      referenced rows are read and locked FOR KEY SHARE, as the foreign-key trigger does for
      each row (so none can be deleted before the import commits); one missing: the import
      goes to the Python path, as any surprise does;
    - the monthly counts (anninh.compstat.aggregates) get the new incidents by one grouped
      upsert, the statement the insert trigger runs.

    Used only when it gives the same result as the triggers: the role may set the parameter
    (a superuser, or PostgreSQL 15's GRANT SET ON PARAMETER session_replication_role), the
    setting ANNINH_IMPORT_QUIET_WRITES is on, and the tables written have no insert trigger
    but their single-column foreign keys' and those in REPLACED. A trigger added later on one
    of them turns this off until it is listed here with what replaces it (a test lists them)."""

    # Insert triggers (not foreign-key checks) of the tables the fast path writes, with what
    # replaces them when they do not fire.
    REPLACED = {Incident._meta.db_table: {"compstat_incmonth_ins": "QuietWrites.monthly_counts"}}
    TABLES = tuple(m._meta.db_table for m in (Incident, IncidentOffence, IncidentLoss, RecordEvent))

    def __init__(self, cursor, role: str):
        self.cursor = cursor
        self.role = role
        self.keys: list[
            tuple[str, str, str, str, dict[str, Any]]
        ] = []  # table, column, value, source, params

    @classmethod
    def refusal(cls, cursor) -> str:
        """Why the triggers must fire for this import ('' if they need not)."""
        if not getattr(settings, "ANNINH_IMPORT_QUIET_WRITES", True):
            return "off by the setting"
        cursor.execute(
            "SELECT rolsuper OR (current_setting('server_version_num')::int >= 150000 "
            "AND has_parameter_privilege('session_replication_role', 'SET')) "
            "FROM pg_roles WHERE rolname = current_user"
        )
        row = cursor.fetchone()
        if not row or not row[0]:
            return "the role may not set session_replication_role"
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgisinternal, tgfoid::regproc::text, tgenabled "
            "FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND (tgtype & 4) <> 0 AND tgenabled <> 'D'",
            [list(cls.TABLES)],
        )
        for table, name, internal, function, enabled in cursor.fetchall():
            expected = (internal and function == '"RI_FKey_check_ins"') or (
                not internal and name in cls.REPLACED.get(table, {})
            )
            if not expected or enabled != "O":
                return f"an insert trigger it does not replace: {table}.{name}"
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "AND cardinality(conkey) <> 1",
            [list(cls.TABLES)],
        )
        if cursor.fetchone()[0]:
            return "a foreign key of several columns"
        return ""

    @classmethod
    def start(cls, cursor) -> QuietWrites | None:
        """The triggers turned off for this transaction, or None (they fire as usual)."""
        if cls.refusal(cursor):
            return None
        cursor.execute("SELECT current_setting('session_replication_role')")
        role = cursor.fetchone()[0]
        cursor.execute("SET LOCAL session_replication_role = replica")
        return cls(cursor, role)

    def note(
        self, table: str, expressions: dict[str, str], source: str, params: dict[str, Any], *, own
    ) -> None:
        """The foreign keys of rows just inserted into `table` from `source`, for finish()."""
        for column, expression in expressions.items():
            if column not in own:
                self.keys.append((table, column, expression, source, params))

    def monthly_counts(self, rows: str) -> None:
        """The new incidents (`rows`: a subquery of their key columns) into the monthly counts."""
        from anninh.compstat.aggregates import pg_add_new_incidents

        self.cursor.execute(pg_add_new_incidents(rows))

    def finish(self) -> None:
        """Triggers on again; every foreign key of the inserted rows checked and its referenced
        rows locked (FOR KEY SHARE), once per distinct value."""
        cursor = self.cursor
        cursor.execute(f"SET LOCAL session_replication_role = {self.role}")
        cursor.execute(
            "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, r.attname "
            "FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])",
            [list(self.TABLES)],
        )
        references = {(table, column): (target, key) for table, column, target, key in cursor.fetchall()}
        checked: dict[tuple[str, str], set] = {}
        scans: dict[tuple[str, str], tuple[list[tuple[str, str]], dict[str, Any]]] = {}
        for table, column, expression, source, params in self.keys:
            if (table, column) not in references:
                continue
            if re.fullmatch(r"%\(\w+\)s(::[\w ]+)?", expression):  # a parameter: one value
                cursor.execute(f"SELECT {expression}", params)
                value = cursor.fetchone()[0]
                if value is not None:
                    checked.setdefault(references[(table, column)], set()).add(value)
            else:
                scans.setdefault((table, source), ([], params))[0].append((column, expression))
        # One pass over each insert's rows for all its keys: a grouping set per key.
        for (table, source), (keys, params) in scans.items():
            sets = ", ".join(f"({expression})" for _column, expression in keys)
            picked = ", ".join(f"GROUPING({expression}), {expression}" for _column, expression in keys)
            cursor.execute(f"SELECT {picked} FROM {source} GROUP BY GROUPING SETS ({sets})", params)  # noqa: S608 - the insert's own SQL
            for row in cursor.fetchall():
                for i, (column, _expression) in enumerate(keys):
                    if row[2 * i] == 0 and row[2 * i + 1] is not None:
                        checked.setdefault(references[(table, column)], set()).add(row[2 * i + 1])
        quote = connection.ops.quote_name
        for (target, key), values in checked.items():
            if not values:
                continue
            cursor.execute(
                f"SELECT {quote(key)} FROM {target} WHERE {quote(key)} = ANY(%s) FOR KEY SHARE",  # noqa: S608 - catalog names
                [sorted(values)],
            )
            if len(cursor.fetchall()) != len(values):
                raise Fallback(f"a value not found in {target}.{key}")

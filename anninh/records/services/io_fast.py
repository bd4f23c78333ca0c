"""The fast path of bulk writes (imports of a million rows, demo and benchmark data).

The ORM's `bulk_create` spends most of its time in Python preparing each value of each row
(about 0.3 ms per incident on the project's 2-core machine), which alone would take a
million-row import past its three-minute budget. Here rows are plain tuples in the table's
column order, converted once per column type, and written with one `executemany` per batch
on SQLite or `COPY` on PostgreSQL. Primary keys are reserved up front (the PostgreSQL
sequence, or SQLite's AUTOINCREMENT counter inside the write lock the transaction holds), so
the caller knows every new id without reading rows back.

Only for rows the caller has validated: nothing here checks values. Always call inside the
caller's transaction.

Text: `anninh.lib.text.fold` and `normalize` cost about half a millisecond per sentence
(they analyse each syllable). Both work word by word, so the helpers below cache them per
word (a city's addresses and narratives reuse a few thousand syllables) and skip ASCII words,
which neither function changes except for case.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Any

from django.db import DatabaseError, connection, models
from django.utils import timezone

from anninh.lib.text import fold, normalize

BATCH = 2000


@lru_cache(maxsize=200_000)
def _fold_word(word: str) -> str:
    return fold(word)


@lru_cache(maxsize=200_000)
def _normalize_word(word: str) -> str:
    return normalize(word)


@lru_cache(maxsize=50_000)
def fast_fold(text: str) -> str:
    """`anninh.lib.text.fold(text)`, computed word by word with a cache (and whole texts,
    which repeat: addresses, templates)."""
    if text.isascii():
        return " ".join(text.lower().split())
    return " ".join(w.lower() if w.isascii() else _fold_word(w) for w in text.split())


@lru_cache(maxsize=50_000)
def fast_normalize(text: str) -> str:
    """`anninh.lib.text.normalize(text)`, computed word by word with a cache."""
    return " ".join(w if w.isascii() else _normalize_word(w) for w in text.split())


def _identity(value: Any) -> Any:
    return value


class FastTable:
    """Insert rows into `model`'s table. `given` names the fields the caller supplies, in
    the order of its tuples; the primary key comes from `reserve_ids`; auto_now fields get
    the current time and every other field its default (so a column a teammate adds with a
    default does not break the fast path)."""

    def __init__(self, model: type[models.Model], given: Sequence[str]):
        self.model = model
        self.table = model._meta.db_table
        self.fields = list(model._meta.concrete_fields)
        self.columns = [f.column for f in self.fields]
        by_name = {f.name: f for f in self.fields} | {f.attname: f for f in self.fields}
        unknown = [name for name in given if name not in by_name]
        if unknown:
            raise ValueError(f"{model.__name__} has no field {unknown}")
        self._given = {by_name[name].attname: i for i, name in enumerate(given)}
        self._plan: list[tuple[str, Any, Callable[[Any], Any]]] = []  # (source, index or constant, convert)
        now = timezone.now()
        ops = connection.ops
        for f in self.fields:
            convert = _identity
            internal = f.get_internal_type()
            if internal == "DateTimeField":
                convert = _datetime_converter()
            elif internal == "DateField":
                convert = ops.adapt_datefield_value
            elif internal == "JSONField":
                convert = _json
            if f.primary_key:
                self._plan.append(("pk", None, _identity))
            elif f.attname in self._given:
                self._plan.append(("given", self._given[f.attname], convert))
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self._plan.append(("const", convert(now), _identity))
            elif f.has_default() or f.null:
                default = f.get_default()
                self._plan.append(("const", None if default is None else convert(default), _identity))
            elif f.blank and f.empty_strings_allowed:
                self._plan.append(("const", "", _identity))
            else:
                raise ValueError(f"{model.__name__}.{f.name} needs a value")

        self.row = self._compile()

    def _compile(self) -> Callable[[int, Sequence[Any]], tuple]:
        """row(pk, values) → the table's tuple, as one generated expression (a loop over the
        plan per row costs more than the rest of the import)."""
        names: dict[str, Any] = {}
        parts: list[str] = []
        for i, (source, ref, convert) in enumerate(self._plan):
            if source == "pk":
                parts.append("pk")
            elif source == "given":
                if convert is _identity:
                    parts.append(f"v[{ref}]")
                else:
                    names[f"c{i}"] = convert
                    parts.append(f"c{i}(v[{ref}])")
            else:
                names[f"k{i}"] = ref
                parts.append(f"k{i}")
        code = f"lambda pk, v: ({', '.join(parts)},)"
        return eval(code, names)  # noqa: S307 - built from this class's own column plan, no input

    def insert(self, rows: Sequence[tuple]) -> None:
        """Write rows made by `row()`."""
        if rows:
            connection.ensure_connection()
            with connection.wrap_database_errors:
                self.insert_raw(connection.connection, rows)

    def insert_raw(self, raw, rows: Sequence[tuple]) -> None:
        """Write rows on the DB-API connection `raw` (the caller's, inside its transaction;
        BackgroundWriter calls this from its thread). Table and column names come from the
        model's meta, never from input."""
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in self.columns)
        if connection.vendor == "postgresql":
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["?"] * len(self.columns))
            cursor = raw.cursor()
            try:
                for start in range(0, len(rows), BATCH):
                    cursor.executemany(
                        f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})",  # noqa: S608
                        rows[start : start + BATCH],
                    )
            finally:
                cursor.close()


def _datetime_converter() -> Callable[[Any], Any]:
    if connection.vendor == "postgresql":
        return _identity  # psycopg writes aware datetimes itself
    return _sqlite_datetime


def _sqlite_datetime(value: dt.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime (USE_TZ): naive UTC text."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


class RawJSON(str):
    """JSON text already serialised: written as it is."""


def _json(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, RawJSON):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, never handed out before. Inside a transaction
    (SQLite: the transaction's write lock keeps anyone else from inserting meanwhile)."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)::regclass::oid", [table, pk])
            sequence = int(cursor.fetchone()[0])  # once: in the query it was looked up per row
            cursor.execute(f"SELECT nextval({sequence}::oid::regclass) FROM generate_series(1, %s)", [count])  # noqa: S608 - an integer
            return [r[0] for r in cursor.fetchall()]
        # SQLite (AUTOINCREMENT): above both the largest id and the table's counter, so the
        # id of a deleted row is never reused; inserting explicit ids advances the counter.
        cursor.execute(
            f"SELECT COALESCE(MAX({connection.ops.quote_name(pk)}), 0) FROM {connection.ops.quote_name(table)}"  # noqa: S608
        )
        top = cursor.fetchone()[0]
        try:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
        except DatabaseError:  # no sqlite_sequence before the database's first insert
            found = None
        start = max(top, found[0] if found else 0) + 1
        return list(range(start, start + count))


def insert_models(
    model: type[models.Model], given: Sequence[str], items: Iterable[Sequence[Any]]
) -> list[int]:
    """Insert one row per item (values in the order of `given`); return the new ids."""
    items = list(items)
    table = FastTable(model, given)
    ids = reserve_ids(model, len(items))
    table.insert([table.row(pk, values) for pk, values in zip(ids, items, strict=True)])
    return ids


def insert_dicts(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert rows given as {field: value}; keys the model does not have (any more) are
    dropped, so optional denormalised columns can come and go."""
    if not rows:
        return []
    known = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
    names = [name for name in rows[0] if name in known]
    return insert_models(model, names, [tuple(row[name] for name in names) for row in rows])


def values_in(model: type[models.Model], field: str, values: Sequence[Any], *columns: str) -> list[Any]:
    """`columns` of the rows whose `field` is one of `values`, in plain SQL (no per-value
    ORM work); one column gives a flat list, several give tuples. Raw database values: for
    text and integer columns only."""
    if not values:
        return []
    meta = model._meta
    quote = connection.ops.quote_name
    selected = ", ".join(quote(meta.get_field(c).column) for c in columns)
    where = quote(meta.get_field(field).column)
    out: list[Any] = []
    if connection.vendor == "postgresql":
        # One array parameter: a query of thousands of placeholders costs psycopg more to
        # parse on the client than the database takes to answer it.
        sql = f"SELECT {selected} FROM {quote(meta.db_table)} WHERE {where} = ANY(%s)"  # noqa: S608 - names from the model's meta
        with connection.cursor() as cursor:
            cursor.execute(sql, [list(values)])
            rows = cursor.fetchall()
        return [r[0] for r in rows] if len(columns) == 1 else [tuple(r) for r in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            chunk = list(values[start : start + 5000])
            marks = ", ".join(["%s"] * len(chunk))
            sql = f"SELECT {selected} FROM {quote(meta.db_table)} WHERE {where} IN ({marks})"  # noqa: S608 - names from the model's meta
            cursor.execute(sql, chunk)
            rows = cursor.fetchall()
            if len(columns) == 1:
                out.extend(r[0] for r in rows)
            else:
                out.extend(rows)
    return out


class IdBlock:
    """New primary keys of one model for a long bulk write, reserved a block at a time (one
    query per block, not per batch): SQLite counts on from the top once (the transaction's
    write lock keeps everyone else out); PostgreSQL draws blocks from the sequence."""

    def __init__(self, model: type[models.Model], block: int = 50_000):
        self.model = model
        self.block = block
        self.next: int | None = None
        self.reserved: list[int] = []

    def take(self, count: int) -> list[int]:
        if connection.vendor != "postgresql":
            if self.next is None:
                self.next = reserve_ids(self.model, 1)[0]
            ids = list(range(self.next, self.next + count))
            self.next += count
            return ids
        if len(self.reserved) < count:
            self.reserved.extend(reserve_ids(self.model, max(self.block, count - len(self.reserved))))
        ids, self.reserved = self.reserved[:count], self.reserved[count:]
        return ids


class BackgroundWriter:
    """Runs the inserts of one batch on a second thread while the caller checks the next
    one: the database works (SQLite and psycopg release the interpreter lock while they do)
    as Python parses. One job at a time, in order, on the caller's own connection and
    transaction. The caller calls `wait()` before it touches the database itself, and
    `close()` before its transaction ends; a database error of the job is raised by
    `wait()` as Django's (IntegrityError, ...)."""

    def __init__(self, *, threaded: bool = True):
        self.threaded = threaded  # False: write at once, on this thread
        connection.ensure_connection()
        self.raw = connection.connection
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="anninh-bulk-writer")
        self.pending: Future | None = None

    def submit(self, jobs: Sequence[tuple[FastTable, Sequence[tuple]]]) -> None:
        self.wait()
        if not self.threaded:
            self._run([(t, r) for t, r in jobs if r])
            return
        self.pending = self.pool.submit(self._run, [(t, r) for t, r in jobs if r])

    def _run(self, jobs: Sequence[tuple[FastTable, Sequence[tuple]]]) -> None:
        for table, rows in jobs:
            table.insert_raw(self.raw, rows)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            with connection.wrap_database_errors:
                pending.result()

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self.pool.shutdown(wait=True)

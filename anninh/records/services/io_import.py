"""Importing incidents from CSV or XLSX: dry run, all-or-nothing commit, idempotent re-runs.

    result = incidents_import(actor=user, unit=unit, path=path, mapping=None, dry_run=True)
    result.problems  # every bad row: row number, column, value, translated message

- Every row is checked (nothing stops at the first problem) and every problem is reported.
- The commit is one transaction: any bad row, and nothing is written.
- A row is identified by its external id (or, without one, by its incident number): the
  same file imported twice creates nothing the second time, and a changed row updates its
  incident (new version, timeline entry saying what changed).
- Rows match only incidents the importer may see (anninh.records.scoping.
  incident_visibility_q), dry run or not. External ids stay unique city-wide (a record
  transferred to another unit keeps its id, and re-importing its source file must not
  duplicate it), so an id held by an incident the importer cannot see cannot be used: the
  row gets "row.external_id_unavailable", which names no unit, commune or number and is the
  same whatever the row holds. What remains told is that the id exists somewhere, as the
  incident form tells; a number outside the scope is "number taken", numbers being the
  units' registers.
- Caps (import_limits): rows per import from a page or the API, problems per import (the
  check stops and keeps the first ones); an XLSX is refused before parsing when its zip
  entries would expand too much (io_formats.check_expansion). Rows are read as a stream
  (CSV reader, openpyxl read-only), checked and written in batches.
- Fast: lookups (communes, offences, units) are loaded once; existing incidents are read
  per batch of rows; new rows are written in bulk (anninh.records.services.io_fast). No
  query runs per row.
- Faster on PostgreSQL: a CSV file is first tried by anninh.records.services.io_copy (COPY
  into a staging table, checks once per distinct value, set-based inserts), which gives the
  same records and hands any file it does not settle (any bad row among others) to the path
  below; setting ANNINH_IMPORT_COPY turns it off.
- One audit row per import, in the same transaction (action create, object
  records.importbatch, with the counts and the file's SHA-256).

Who: commune officers and investigators, for the units they act for (their commune police;
their department and its teams). The command line without --as imports as the system user,
for any unit: whoever runs manage.py already holds the database.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import json
import multiprocessing
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, diff
from anninh.lib.dates import HCM_TZ
from anninh.records.models import (
    ImportBatch,
    Incident,
    IncidentLoss,
    IncidentOffence,
    RecordEvent,
    RegisterCounter,
    ReviewStatus,
)
from anninh.records.permissions import acting_unit_ids
from anninh.records.services.io_checks import Checker, Lookups, PointIndex, Row
from anninh.records.services.io_fast import (
    BackgroundWriter,
    FastTable,
    IdBlock,
    RawJSON,
    _json,
    fast_fold,
    values_in,
)
from anninh.records.services.io_formats import (
    FileProblem,
    Problem,
    file_sha256,
    open_sheet,
    problem,
    resolve_mapping,
)
from anninh.records.versioning import RecordError

BATCH_SIZE = 2000
MAX_ROWS = 50_000  # per import from a page, the API or their background job (settings)
MAX_PROBLEMS = 1_000  # per import (settings): beyond, the check stops
PARALLEL_FROM = 50_000  # rows; below this a worker process is not worth starting
IN_FLIGHT = 3  # chunks handed to the worker ahead of the writer
IMPORT_EVENT = "imported"
# Incident fields an import writes and compares (an unchanged row changes nothing).
COMPARED = (
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
    "offence_group",
    "losses_vnd",
    "review_status",
    "is_synthetic",
)
# The one loss line an import keeps per incident (its losses are a total, not items).
LOSS_DESCRIPTION = "Tổng thiệt hại (theo tệp nhập)"


@dataclass
class ImportResult:
    file_name: str
    sha256: str
    format: str = ""
    dry_run: bool = True
    mapping: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)  # row problems, in row order
    file_problems: list[Problem] = field(default_factory=list)
    batch: ImportBatch | None = None
    path: str = "python"  # "copy": the PostgreSQL fast path (io_copy) imported the file
    fallback: str = ""  # why the fast path handed the file to the Python path
    timings: dict[str, float] = field(default_factory=dict)  # the fast path's steps, seconds

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_problems

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})


# The import ---------------------------------------------------------------------------


def import_limits(via: str) -> tuple[int, int]:
    """(rows, problems) an import from `via` stops at (0: no cap on rows).

    ANNINH_IMPORT_MAX_ROWS (default 50,000) caps the pages, the API and the background jobs
    they start; the command line has no row cap unless given one (--max-rows): whoever runs
    manage.py already holds the server. ANNINH_IMPORT_MAX_PROBLEMS (default 1,000) caps
    every import: beyond, the check stops and reports the first ones."""
    rows = 0 if via == "command" else int(getattr(settings, "ANNINH_IMPORT_MAX_ROWS", MAX_ROWS))
    return rows, int(getattr(settings, "ANNINH_IMPORT_MAX_PROBLEMS", MAX_PROBLEMS))


def incidents_import(
    *,
    actor,
    unit,
    path: Path | str,
    file_name: str = "",
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    system: bool = False,
    progress: Callable[[int], None] | None = None,
    started: Callable[[int | None], None] | None = None,
    batch_size: int = BATCH_SIZE,
    via: str = "command",
    parallel: bool | None = None,
    max_rows: int | None = None,
    max_problems: int | None = None,
    copy: bool | None = None,
) -> ImportResult:
    """Check (and unless `dry_run`, write) every row of the file at `path` for `unit`.

    `system=True` is the command line without --as (`actor` is then the system user).
    `started(total)` is called once the file is open (its data rows when known up front),
    `progress(count)` after each batch of rows. `max_rows` and `max_problems` default to
    `import_limits(via)` (0: no cap). `copy`: whether to try the PostgreSQL fast path
    (anninh.records.services.io_copy; default: the setting ANNINH_IMPORT_COPY, on); it hands
    any file it does not settle to the Python path (`result.path` says which one imported).
    Raises RecordError when the actor may not import for `unit`.

    An import that writes nothing (a dry run, or a file with any problem) is audited too,
    in a transaction of its own (action view: who checked which file, its size, rows and
    problems); a written import is audited as the creation of its batch, in its transaction.
    """
    path = Path(path)
    file_name = (file_name or path.name)[:255]
    if not system and (
        not getattr(actor, "is_authenticated", False) or unit is None or unit.pk not in acting_unit_ids(actor)
    ):
        raise RecordError("permission.unit", _("You cannot import incidents for this unit."))
    default_rows, default_problems = import_limits(via)
    limits = (
        default_rows if max_rows is None else max_rows,
        default_problems if max_problems is None else max_problems,
    )
    result = ImportResult(file_name=file_name, sha256=file_sha256(path), dry_run=dry_run)
    _run(
        result,
        actor=actor,
        unit=unit,
        path=path,
        mapping=mapping,
        system=system,
        progress=progress,
        started=started,
        batch_size=batch_size,
        via=via,
        parallel=parallel,
        limits=limits,
        copy=copy,
    )
    if result.batch is None:
        _audit_check(result, actor=actor, unit=unit, size=path.stat().st_size, via=via)
    return result


def _audit_check(result: ImportResult, *, actor, unit, size: int, via: str) -> None:
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="records.importbatch",
        object_repr=f"{'dry run' if result.dry_run else 'rejected'}: {result.file_name}"[:200],
        after={
            "unit": unit.code,
            "file_name": result.file_name,
            "size": size,
            "sha256": result.sha256,
            "format": result.format,
            "mapping": result.mapping,
            "rows": result.rows,
            "problems": len(result.problems),
            "bad_rows": result.bad_rows,
            "file_problems": len(result.file_problems),
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
        extra={"via": via, "dry_run": result.dry_run, "outcome": "checked" if result.dry_run else "rejected"},
    )


def _capped(rows: Iterable, limit: int):
    """The rows of the file, raising FileProblem past the `limit`-th (0: no limit)."""
    for count, item in enumerate(rows, start=1):
        if limit and count > limit:
            raise FileProblem(problem("file.too_many_rows", max=_count(limit)))
        yield item


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _run(
    result: ImportResult,
    *,
    actor,
    unit,
    path: Path,
    mapping,
    system: bool,
    progress,
    started,
    batch_size: int,
    via: str,
    parallel: bool | None,
    limits: tuple[int, int],
    copy: bool | None = None,
) -> None:
    dry_run = result.dry_run
    max_rows, max_problems = limits
    try:
        sheet = open_sheet(path, result.file_name)
    except FileProblem as exc:
        result.file_problems.append(exc.problem)
        return
    try:
        result.format = sheet.format
        columns, used, problems = resolve_mapping(sheet.header, mapping)
        result.mapping = used
        if problems:
            result.file_problems.extend(problems)
            return
        if started is not None:
            started(sheet.total)
        lookups = Lookups(actor, system=system)
        _sqlite_bulk_cache(on=True)
        names = dict(enumerate(sheet.header))
        checker = Checker(lookups, columns, names, unit.pk)
        with transaction.atomic():
            writer = None
            if _copy_wanted(sheet, copy):
                writer = _try_copy(
                    result,
                    actor=actor,
                    unit=unit,
                    path=path,
                    sheet=sheet,
                    columns=columns,
                    checker=checker,
                    lookups=lookups,
                    max_rows=max_rows,
                    batch_size=batch_size,
                )
                if writer is not None and progress is not None:
                    progress(result.rows)
            if writer is None:
                writer = _Writer(actor, unit, result, lookups)
                if not dry_run:
                    checker.prepare = writer.prepare
                if parallel is None:
                    parallel = (sheet.total or 0) >= PARALLEL_FROM and (os.cpu_count() or 1) > 1
                try:
                    rows = _capped(sheet.rows, max_rows)
                    for count, checked in _checked(rows, checker, batch_size, parallel=parallel):
                        result.rows += count
                        writer.batch(checked, checker, write=not dry_run and not checker.problems)
                        if progress is not None:
                            progress(count)
                        if max_problems and len(checker.problems) >= max_problems:
                            # Enough to fix for now: stop reading, keep the first ones.
                            result.file_problems.append(
                                problem("file.too_many_problems", max=_count(max_problems))
                            )
                            break
                    writer.wait()
                except FileProblem as exc:
                    result.file_problems.append(exc.problem)
                except IntegrityError:
                    # A number given on a later row matched one the register handed out to an
                    # earlier row: caught by the unique index, reported instead of a crash.
                    result.file_problems.append(problem("file.clash"))
                finally:
                    writer.close()
            result.problems = sorted(checker.problems, key=lambda p: p.row or 0)
            if max_problems:
                del result.problems[max_problems:]
            if dry_run or not result.ok:
                transaction.set_rollback(True)
                result.batch = None
                return
            writer.finish()
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                target=result.batch,
                after={
                    "unit": unit.code,
                    "file_name": result.file_name,
                    "size": path.stat().st_size,
                    "sha256": result.sha256,
                    "format": result.format,
                    "mapping": result.mapping,
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
                extra={"via": via},
            )
    finally:
        _sqlite_bulk_cache(on=False)
        sheet.close()


def _copy_wanted(sheet, copy: bool | None) -> bool:
    from anninh.records.services import io_copy

    return sheet.format == "csv" and io_copy.enabled_for(copy)


def _try_copy(
    result: ImportResult,
    *,
    actor,
    unit,
    path: Path,
    sheet,
    columns: dict[str, int],
    checker: Checker,
    lookups: Lookups,
    max_rows: int,
    batch_size: int,
):
    """The PostgreSQL fast path (io_copy), in a savepoint: its writer when it imported (or,
    in a dry run, checked) the whole file; None when it handed the file to the Python path
    (everything it did rolled back, the result and the checker as they were)."""
    import psycopg

    from anninh.records.services import io_copy

    attempt = io_copy.CopyImport(
        result=result, unit=unit, path=path, header=sheet.header, columns=columns, checker=checker
    )
    try:
        with transaction.atomic():
            writer = _Writer(actor, unit, result, lookups)
            try:
                changed = attempt.run(max_rows=max_rows)
                # Rows that change an existing incident: the Python path's own checks, diff
                # and timeline entry (rare: a file edited and imported again).
                for start in range(0, len(changed), batch_size):
                    rows = [
                        checker.check(n, c)
                        for n, c in attempt.changed_cells(changed[start : start + batch_size])
                    ]
                    _resolve_points(rows, checker)
                    writer.batch(rows, checker, write=not result.dry_run)
                    if checker.problems:
                        raise io_copy.Fallback("a changed row with a problem")
                if not result.dry_run:
                    attempt.write(writer, actor)
                attempt.cleanup()
                writer.wait()
            finally:
                attempt.close()
                writer.close()
    except (io_copy.Fallback, DatabaseError, psycopg.Error) as exc:
        result.fallback = f"{type(exc).__name__}: {exc}"[:300]
        result.rows = result.created = result.updated = result.unchanged = 0
        result.batch = None
        checker.problems.clear()
        return None
    result.path = "copy"
    return writer


def _sqlite_bulk_cache(*, on: bool) -> None:
    """A large page cache for the import's connection on SQLite, so the pages of the
    growing indexes stay in memory during a large import; back to the default afterwards, so
    a web worker's connection does not keep it."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = {-400_000 if on else -2000}")


def _chunks(rows: Iterable, size: int):
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


_WORKER_CHECKER: Checker | None = None  # set in the worker process only


def _start_worker(checker: Checker) -> None:
    global _WORKER_CHECKER
    _WORKER_CHECKER = checker


def _check_chunk(
    chunk: list[tuple[int, list[Any]]], checker: Checker | None = None
) -> tuple[int, list[Row], list[Problem]]:
    """Check one chunk of rows (in this process, or with the worker's checker)."""
    checker = checker or _WORKER_CHECKER
    before = len(checker.problems)
    rows = [checker.check(number, cells) for number, cells in chunk]
    _resolve_points(rows, checker)
    if checker.prepare is not None:
        for row in rows:
            if not row.bad:
                checker.prepare(row)
    problems = checker.problems[before:]
    del checker.problems[before:]
    return len(chunk), rows, problems


def _checked(rows: Iterable, checker: Checker, size: int, *, parallel: bool):
    """(count, checked rows) per chunk of `size`, in file order; problems go to the checker.

    With `parallel`, a forked worker process checks chunk k+1 while this process matches
    and writes chunk k (checking is about a third of an import's work, and the machine has
    more than one core). The worker inherits the lookups, touches no database, and has at
    most a few chunks in flight, so memory stays flat."""
    if not parallel:
        for chunk in _chunks(rows, size):
            count, checked, problems = _check_chunk(chunk, checker)
            checker.problems.extend(problems)
            yield count, checked
        return
    from anninh.geo.lookup import commune_at

    checker.points = checker.points or PointIndex()
    commune_at(20.86, 106.68)  # build the lookup's own index here, before the fork
    pending: collections.deque = collections.deque()
    # Forked, the worker gets the checker (and its lookups) as memory, not pickled.
    with multiprocessing.get_context("fork").Pool(1, initializer=_start_worker, initargs=(checker,)) as pool:
        for chunk in _chunks(rows, size):
            pending.append(pool.apply_async(_check_chunk, (chunk,)))
            if len(pending) >= IN_FLIGHT:
                count, checked, problems = pending.popleft().get()
                checker.problems.extend(problems)
                yield count, checked
        while pending:
            count, checked, problems = pending.popleft().get()
            checker.problems.extend(problems)
            yield count, checked


def _resolve_points(rows: list[Row], checker: Checker) -> None:
    """The commune of every row given by a point (no query: an in-memory index); a point
    outside the city is a problem of its row."""
    with_point = [r for r in rows if r.values["lat"] is not None]
    if not with_point:
        return
    if checker.points is None:
        checker.points = PointIndex()
    codes = checker.points.communes([(r.values["lat"], r.values["lon"]) for r in with_point])
    for r, code in zip(with_point, codes, strict=True):
        if code is None:
            checker.bad("point.outside", r.row, "lat", f"{r.values['lat']}, {r.values['lon']}")
            r.bad = True
        else:
            r.values["commune_id"] = code
            r.values["lat"], r.values["lon"] = round(r.values["lat"], 6), round(r.values["lon"], 6)


class _Writer:
    """Matches rows with existing incidents and writes them, batch by batch."""

    def __init__(self, actor, unit, result: ImportResult, lookups: Lookups):
        self.actor = actor
        self.unit = unit
        self.result = result
        self.look = lookups
        self.keys: dict[str, int] = {}  # external id → first row
        self.numbers: dict[str, int] = {}  # number (given or handed out) → row
        self.counters: dict[tuple[int, int], RegisterCounter] = {}  # (unit, year), locked
        self.actor_name = (getattr(actor, "full_name", "") or getattr(actor, "username", ""))[:150]
        self.now = timezone.now()
        self.incidents = FastTable(
            Incident,
            [
                "number",
                "external_id",
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
                "offence_group",
                "losses_vnd",
                "search_key",
                "review_status",
                "created_by_id",
                "is_synthetic",
            ],
        )
        self.events = FastTable(
            RecordEvent,
            [
                "object_type",
                "object_id",
                "actor_id",
                "actor_name",
                "kind",
                "to_status",
                "comment",
                "version",
                "snapshot",
                "changes",
            ],
        )
        columns = self.incidents.columns
        self.slots = (columns.index("id"), columns.index("number"), columns.index("search_key"))
        self.slots_review = columns.index("review_status")
        self.offence_links = FastTable(IncidentOffence, ["incident_id", "offence_id", "clause", "is_main"])
        self.losses = FastTable(IncidentLoss, ["incident_id", "description", "value_vnd", "recovered"])
        self.ids = {model: IdBlock(model) for model in (Incident, IncidentOffence, IncidentLoss, RecordEvent)}
        self.background = BackgroundWriter() if not result.dry_run else None
        self.comment = ""
        if not result.dry_run:
            result.batch = ImportBatch.objects.create(
                unit=unit,
                created_by=actor,
                file_name=result.file_name,
                file_sha256=result.sha256,
                file_format=result.format,
                mapping=result.mapping,
            )
            self.comment = f"#{result.batch.pk} {result.file_name}"[:500]

    # Matching -----------------------------------------------------------------------

    def batch(self, rows: list[Row], checker: Checker, *, write: bool) -> None:
        rows = self._unique(rows, checker)
        self.wait()  # the previous batch's inserts, before this one reads the database
        by_key = [r.external_id for r in rows if r.external_id]
        by_number = [r.number for r in rows if not r.external_id and r.number]
        existing: dict[tuple[str, str], dict[str, Any]] = {}
        fields = ("pk", "number", "external_id", "version", *COMPARED)
        # Which keys exist is asked in plain SQL (cheap for thousands of keys); the ORM reads
        # (with its type conversions) only the incidents that do.
        # Only incidents the importer may see are matched (the records' visibility rule):
        # an external id held by one they cannot see is a problem of its row that names
        # nothing of it (see "row.external_id_unavailable"), and a number, a number taken.
        visible = self.look.visible
        found = set(values_in(Incident, "external_id", by_key, "external_id"))
        if found:
            for item in visible.filter(external_id__in=sorted(found)).values(*fields):
                existing[("x", item["external_id"])] = item
        hidden = {key for key in found if ("x", key) not in existing}
        found = set(values_in(Incident, "number", by_number, "number"))
        if found:
            for item in visible.filter(number__in=sorted(found)).values(*fields):
                existing[("n", item["number"])] = item
        given = [r.number for r in rows if r.number]
        taken = dict(values_in(Incident, "number", given, "number", "id"))
        links: dict[int, list[tuple[int, int | None, bool]]] = {}
        if existing:
            ids = [item["pk"] for item in existing.values()]
            for incident_id, offence_id, clause, main in IncidentOffence.objects.filter(
                incident_id__in=ids
            ).values_list("incident_id", "offence_id", "clause", "is_main"):
                links.setdefault(incident_id, []).append((offence_id, clause, main))

        creates: list[Row] = []
        updates: list[tuple[Row, dict[str, Any], dict[str, list]]] = []
        for r in rows:
            if r.external_id in hidden:
                checker.bad("row.external_id_unavailable", r.row, "external_id", r.external_id)
                continue
            current = existing.get(("x", r.external_id)) if r.external_id else existing.get(("n", r.number))
            if current is None:
                if r.number and r.number in taken:
                    checker.bad("row.number_taken", r.row, "number", r.number)
                    continue
                if r.values["review_status"] is None:
                    r.values["review_status"] = ReviewStatus.DRAFT
                creates.append(r)
                continue
            if r.number and r.number != current["number"]:
                checker.bad("row.number_mismatch", r.row, "number", r.number, number=current["number"])
                continue
            if r.values["review_status"] is None:
                r.values["review_status"] = current["review_status"]
            changes = {
                name: [current[name], r.values[name]] for name in COMPARED if current[name] != r.values[name]
            }
            old_links = sorted(links.get(current["pk"], []), key=_link_key)
            if sorted(r.offences, key=_link_key) != old_links:
                changes["offences"] = [[_link_key(x) for x in old_links], [_link_key(x) for x in r.offences]]
            if not changes:
                self.result.unchanged += 1
                continue
            unit_id = current["responsible_unit_id"]
            if unit_id not in self.look.acting or r.values["responsible_unit_id"] not in self.look.acting:
                checker.bad(
                    "row.other_unit",
                    r.row,
                    "external_id" if r.external_id else "number",
                    r.external_id or r.number,
                    unit=self.look.unit_code.get(unit_id, "?"),
                )
                continue
            if current["review_status"] == ReviewStatus.SUBMITTED and not self.look.may_review(unit_id):
                checker.bad(
                    "row.locked",
                    r.row,
                    "external_id" if r.external_id else "number",
                    r.external_id or r.number,
                )
                continue
            updates.append((r, current, changes))
        if write and not checker.problems:
            self._create(creates)
            self._update(updates)
        self.result.created += len(creates)
        self.result.updated += len(updates)

    def _unique(self, rows: list[Row], checker: Checker) -> list[Row]:
        """The rows fit to write: not bad, and the first with their external id and number
        (a later duplicate is a problem of its own row, bad rows included)."""
        out = []
        for r in rows:
            if r.external_id:
                first = self.keys.get(r.external_id)
                if first is not None:
                    checker.bad("row.external_id_duplicate", r.row, "external_id", r.external_id, first=first)
                    r.bad = True
                else:
                    self.keys[r.external_id] = r.row
            if r.number:
                first = self.numbers.get(r.number)
                if first is not None:
                    checker.bad("row.number_duplicate", r.row, "number", r.number, first=first)
                    r.bad = True
                else:
                    self.numbers[r.number] = r.row
            if not r.bad:
                out.append(r)
        return out

    # Writing ------------------------------------------------------------------------

    def _counters(self, keys: set[tuple[int, int]]) -> None:
        """Lock the register counters of these (unit, year) pairs for the rest of the import
        (created when missing), reading each once: the numbers are then handed out in memory
        and the counters written back at the end, whatever the number of rows."""
        missing = keys - self.counters.keys()
        if not missing:
            return
        RegisterCounter.objects.bulk_create(
            [RegisterCounter(unit_id=u, register="incident", year=y, last=0) for u, y in sorted(missing)],
            ignore_conflicts=True,
        )
        units = {u for u, _y in missing}
        years = {y for _u, y in missing}
        for counter in RegisterCounter.objects.select_for_update().filter(
            register="incident", unit_id__in=units, year__in=years
        ):
            key = (counter.unit_id, counter.year)
            if key in missing:
                self.counters[key] = counter

    def _allocate_numbers(self, rows: list[Row]) -> None:
        """Number the new incidents that came without one in their unit's register for the
        year they were reported (the register of anninh.records.services.incidents), skipping
        numbers already taken (by rows that brought their own)."""
        from anninh.records.services.incidents import incident_number

        pending = [r for r in rows if not r.number]
        while pending:
            keys = {
                (r.values["responsible_unit_id"], r.values["reported_at"].astimezone(HCM_TZ).year)
                for r in pending
            }
            self._counters(keys)
            candidates: list[tuple[Row, str]] = []
            for r in pending:
                unit_id, year = (
                    r.values["responsible_unit_id"],
                    r.values["reported_at"].astimezone(HCM_TZ).year,
                )
                counter = self.counters[(unit_id, year)]
                counter.last += 1
                candidates.append((r, incident_number(self.look.unit_code[unit_id], year, counter.last)))
            used = set(values_in(Incident, "number", [n for _r, n in candidates], "number"))
            pending = []
            for r, number in candidates:
                if number in used or number in self.numbers:
                    pending.append(r)
                else:
                    r.number = number
                    self.numbers[number] = r.row

    def prepare(self, r: Row) -> None:
        """The row's incident tuple (without id, number and search key), the folded tail of
        its search key and the timeline snapshot (without id and number), computed where
        the row is checked: in the worker process when there is one, so this process only
        fills in the numbers."""
        v = r.values
        review = v["review_status"] or ReviewStatus.DRAFT
        template = self.incidents.row(
            0,
            (
                "",
                r.external_id,
                v["kind"],
                v["occurred_from"],
                v["occurred_to"],
                v["reported_at"],
                v["commune_id"],
                v["address"],
                v["lat"],
                v["lon"],
                v["premises"],
                v["narrative"],
                v["responsible_unit_id"],
                v["offence_group"],
                v["losses_vnd"],
                "",
                review,
                self.actor.pk,
                v["is_synthetic"],
            ),
        )
        tail = " ".join(part for part in (fast_fold(v["address"]), fast_fold(v["narrative"])) if part)
        r.prepared = (template, tail, _json({**_snapshot(0, r), "review_status": review}))

    def _create(self, rows: list[Row]) -> None:
        if not rows:
            return
        self._allocate_numbers(rows)
        ids = self.ids[Incident].take(len(rows))
        actor_id = self.actor.pk
        at_pk, at_number, at_search = self.slots
        incident_rows = []
        for pk, r in zip(ids, rows, strict=True):
            if r.prepared is None or r.prepared[0][self.slots_review] != r.values["review_status"]:
                self.prepare(r)
            template, tail, _snap = r.prepared
            row = list(template)
            row[at_pk] = pk
            row[at_number] = r.number
            number_key = fast_fold(r.number)
            row[at_search] = f"{number_key} {tail}" if tail else number_key
            incident_rows.append(tuple(row))
        links = [
            (pk, offence_id, clause, main)
            for pk, r in zip(ids, rows, strict=True)
            for offence_id, clause, main in r.offences
        ]
        losses = [
            (pk, LOSS_DESCRIPTION, r.values["losses_vnd"], False)
            for pk, r in zip(ids, rows, strict=True)
            if r.values["losses_vnd"]
        ]
        link_rows = [
            self.offence_links.row(pk, v)
            for pk, v in zip(self.ids[IncidentOffence].take(len(links)), links, strict=True)
        ]
        loss_rows = [
            self.losses.row(pk, v)
            for pk, v in zip(self.ids[IncidentLoss].take(len(losses)), losses, strict=True)
        ]
        event_ids = self.ids[RecordEvent].take(len(rows))
        event_rows = [
            self.events.row(
                event_id,
                (
                    "records.incident",
                    pk,
                    actor_id,
                    self.actor_name,
                    IMPORT_EVENT,
                    r.values["review_status"],
                    self.comment,
                    1,
                    RawJSON(f'{{"id": {pk}, "number": {json.dumps(r.number)}, {r.prepared[2][1:]}'),
                    {},
                ),
            )
            for event_id, pk, r in zip(event_ids, ids, rows, strict=True)
        ]
        self.background.submit(
            [
                (self.incidents, incident_rows),
                (self.offence_links, link_rows),
                (self.losses, loss_rows),
                (self.events, event_rows),
            ]
        )

    def _update(self, updates: list[tuple[Row, dict[str, Any], dict[str, list]]]) -> None:
        if not updates:
            return
        self.wait()
        objects = []
        replace_links: list[tuple[int, Row]] = []
        replace_losses: list[tuple[int, Row]] = []
        events = []
        for r, current, changes in updates:
            pk = current["pk"]
            obj = Incident(pk=pk, number=current["number"], **r.values)
            obj.version = current["version"] + 1
            obj.updated_at = self.now
            obj.search_key = search_key(current["number"], r.values["address"], r.values["narrative"])
            objects.append(obj)
            if "offences" in changes:
                replace_links.append((pk, r))
            if "losses_vnd" in changes:
                replace_losses.append((pk, r))
            r.number = current["number"]
            events.append(
                (
                    "records.incident",
                    pk,
                    self.actor.pk,
                    self.actor_name,
                    "amended" if current["review_status"] == ReviewStatus.APPROVED else IMPORT_EVENT,
                    r.values["review_status"],
                    self.comment,
                    obj.version,
                    _snapshot(pk, r),
                    _jsonable(
                        diff({k: v[0] for k, v in changes.items()}, {k: v[1] for k, v in changes.items()})
                    ),
                )
            )
        Incident.objects.bulk_update(
            objects, [*COMPARED, "search_key", "version", "updated_at"], batch_size=500
        )
        if replace_links:
            IncidentOffence.objects.filter(incident_id__in=[pk for pk, _r in replace_links]).delete()
            self._insert(
                IncidentOffence,
                self.offence_links,
                [(pk, o, c, m) for pk, r in replace_links for o, c, m in r.offences],
            )
        if replace_losses:
            IncidentLoss.objects.filter(incident_id__in=[pk for pk, _r in replace_losses]).delete()
            self._insert(
                IncidentLoss,
                self.losses,
                [
                    (pk, LOSS_DESCRIPTION, r.values["losses_vnd"], False)
                    for pk, r in replace_losses
                    if r.values["losses_vnd"]
                ],
            )
        self._insert(RecordEvent, self.events, events)

    def _insert(self, model, table: FastTable, items: list[tuple]) -> None:
        """Insert now, on this thread (ids from the import's own blocks)."""
        ids = self.ids[model].take(len(items))
        table.insert([table.row(pk, values) for pk, values in zip(ids, items, strict=True)])

    def wait(self) -> None:
        if self.background is not None:
            self.background.wait()

    def close(self) -> None:
        """Wait for the last inserts and stop the writer thread (before the transaction ends,
        whether it commits or rolls back)."""
        if self.background is not None:
            background, self.background = self.background, None
            background.close()

    def finish(self) -> None:
        self.close()
        RegisterCounter.objects.bulk_update(list(self.counters.values()), ["last"], batch_size=500)
        batch = self.result.batch
        batch.rows = self.result.rows
        batch.created = self.result.created
        batch.updated = self.result.updated
        batch.unchanged = self.result.unchanged
        batch.save(update_fields=["rows", "created", "updated", "unchanged"])


def search_key(number: str, address: str, narrative: str) -> str:
    """fold(f"{number} {address} {narrative}"), the incident service's search key, from the
    folds of its parts (addresses and narratives repeat, so theirs are cached)."""
    return " ".join(part for part in (fast_fold(number), fast_fold(address), fast_fold(narrative)) if part)


def _link_key(link: tuple[int, int | None, bool]) -> tuple[int, int, bool]:
    offence_id, clause, main = link
    return (offence_id, clause or 0, bool(main))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# What an import's timeline entry keeps of each incident. Not the whole row: the incident is
# the row as imported (version 1), the batch keeps the file's SHA-256, and every later change
# keeps its before/after in the audit log; copying each narrative and address into a million
# timeline entries would double what an import writes for nothing the timeline shows.
SNAPSHOT_FIELDS = (
    "kind",
    "occurred_from",
    "commune_id",
    "responsible_unit_id",
    "losses_vnd",
    "review_status",
)


def _snapshot(pk: int, r: Row) -> dict[str, Any]:
    """The timeline's picture of an imported incident: its identity, main facts and
    offences (`pk` and the number lead; the create path writes them into the prepared JSON
    text itself)."""
    v = r.values
    head = {"id": pk, "number": r.number} if pk else {}
    return {
        **head,
        "external_id": r.external_id,
        **{name: v[name] for name in SNAPSHOT_FIELDS},  # datetimes become ISO text when written
        "offences": r.labels,
    }

"""The exchange format of incidents: its columns, the column mapping, reading CSV and XLSX,
parsing cells, and the problems an import reports (each translated when it is shown, in the
language of whoever reads it).

Our own export writes one column per field below, headed by the field's key; the default
mapping reads those headers back, so an exported file imports as it is. A file from another
system comes with a mapping, {"source column": "field"} (JSON), naming which of its columns
holds which field.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from anninh.lib.dates import HCM_TZ, parse_date_vn
from anninh.lib.errors import ValidationProblem
from anninh.lib.money import parse_vnd

# Fields an import can fill, in the column order of our export. ------------------------

IMPORT_FIELDS: dict[str, Promise] = {
    "external_id": _("External id (the other system's id, kept for re-imports)"),
    "number": _("Incident number"),
    "kind": _("Kind of incident"),
    "occurred_from": _("Occurred (dd/mm/yyyy HH:MM)"),
    "occurred_to": _("Occurred until, when the time is a window"),
    "reported_at": _("Reported (dd/mm/yyyy HH:MM)"),
    "commune_code": _("Commune code (5 digits); not needed when the point is given"),
    "address": _("Address"),
    "lat": _("Latitude"),
    "lon": _("Longitude"),
    "premises": _("Type of premises"),
    "articles": _("Penal Code articles, main first, e.g. 173/1; 323"),
    "losses_vnd": _("Losses (whole đồng)"),
    "unit_code": _("Responsible unit code (default: the unit importing)"),
    "review_status": _("Review status (default: draft)"),
    "synthetic": _("Synthetic record (1 or 0)"),
    "narrative": _("Narrative"),
}
# Columns our export adds for people to read; an import ignores them.
EXPORT_ONLY = ("commune_name", "offence_group", "persons")
REQUIRED = ("kind", "occurred_from", "reported_at")
MAX_LENGTH = {"external_id": 80, "number": 40, "address": 300, "narrative": 20000}
FORMATS = ("csv", "xlsx")


# Problems ------------------------------------------------------------------------------

MESSAGES: dict[str, Promise] = {
    "file.format": _("This is not a CSV or XLSX file."),
    "file.encoding": _("The file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
    "file.empty": _("The file has no header row."),
    "file.unreadable": _("The file cannot be read: %(error)s"),
    "file.column_missing": _("Column “%(column)s” named in the mapping is not in the file."),
    "file.required": _("The mapping gives no column for the field “%(field)s”."),
    "file.key_required": _(
        "The mapping needs a column for the external id or the incident number, so that importing "
        "the file again updates its incidents instead of duplicating them."
    ),
    "file.place_required": _(
        "The mapping needs a column for the commune code, or for latitude and longitude."
    ),
    "file.clash": _(
        "An incident number in the file clashes with one given to another row; nothing was imported."
    ),
    "file.gone": _("The uploaded file is no longer here: upload it again."),
    "file.too_many_rows": _(
        "The file has more than %(max)s rows, more than an import from the page takes: split it, "
        "or ask an administrator to import it with the command line. Nothing was imported."
    ),
    "file.too_many_problems": _(
        "Too many problems: the first %(max)s are shown and the check stopped there. Correct them "
        "and check again; nothing was imported."
    ),
    "file.expands": _(
        "The XLSX file expands to far more data than it holds (a compressed bomb?): it was not "
        "opened. Save it again from the spreadsheet program, or send it as CSV."
    ),
    "mapping.invalid": _(
        'The mapping must be a JSON object of source column → field, e.g. {"Mã vụ": "external_id"}.'
    ),
    "mapping.field": _("The mapping names an unknown field “%(field)s”."),
    "mapping.twice": _("The field “%(field)s” is mapped from two columns."),
    "row.key_required": _(
        "Give an external id (or the incident number), so that importing the file again does not "
        "duplicate the incident."
    ),
    "row.external_id_duplicate": _("External id %(value)s is also on row %(first)s of this file."),
    "row.number_duplicate": _("Number %(value)s is also on row %(first)s of this file."),
    "row.number_taken": _("Number %(value)s already belongs to another incident."),
    "row.number_mismatch": _("This external id is incident %(number)s, not %(value)s."),
    # Said of an external id held by an incident the importer cannot see: nothing of it (its
    # unit, commune, number, or whether the row equals it) is told. External ids are unique
    # city-wide, so the row cannot create a second incident with it either.
    "row.external_id_unavailable": _(
        "This external id cannot be used for this row: give the row another external id, or ask "
        "your supervisor."
    ),
    "row.too_long": _("Too long: at most %(max)s characters."),
    "row.other_unit": _("This incident belongs to unit %(unit)s, whose records you cannot change."),
    "row.locked": _(
        "This incident is awaiting approval: ask your supervisor to return it before changing it."
    ),
    "kind.unknown": _("Unknown kind of incident “%(value)s”."),
    "date.required": _("Enter the date."),
    "date.format": _("Write the date as dd/mm/yyyy, with the time as HH:MM if known, e.g. 05/11/2026 14:30."),
    "date.invalid": _("There is no such date."),
    "date.future": _("This time is in the future."),
    "date.too_early": _("Check the year: this date is too far in the past."),
    "date.after_reported": _("It cannot have happened after it was reported (%(reported)s)."),
    "date.window": _("The end of the time window is before its start."),
    "commune.unknown": _("Unknown commune code “%(value)s”: use the 5-digit code of a commune of Hai Phong."),
    "commune.required": _("Give the commune code, or the point (latitude and longitude)."),
    "point.invalid": _("Latitude and longitude are numbers in degrees, e.g. 20.8449 and 106.6881."),
    "point.half": _("Give both latitude and longitude, or neither."),
    "point.outside": _("This point is outside Hai Phong."),
    "article.required": _("A crime needs the article of the Penal Code."),
    "article.unknown": _("There is no article %(article)s in the offence table."),
    "article.not_in_force": _("Article %(article)s was not in force on %(date)s."),
    "article.duplicate": _("This article is listed twice."),
    "article.clause": _("A clause is numbered 1 to 10."),
    "premises.unknown": _("Unknown type of premises “%(value)s”."),
    "unit.unknown": _("Unknown police unit “%(value)s”."),
    "unit.refused": _("You cannot import incidents for unit %(value)s."),
    "review.unknown": _("Unknown review status “%(value)s”."),
    "review.refused": _("Only the unit's supervisor may import approved records."),
    "bool.invalid": _("Write 1 or 0."),
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file (row None) or with one cell of one row. The message is
    made when it is read, in the language active then (page, command or API caller)."""

    code: str
    row: int | None = None  # as a spreadsheet numbers it: the header is row 1
    column: str = ""  # the file's own column name
    value: str = ""
    params: tuple[tuple[str, Any], ...] = ()

    @property
    def message(self) -> str:
        if self.code.startswith("vnd."):
            from anninh.records.services.incidents import money_message

            return money_message(self.code)
        template = MESSAGES.get(self.code)
        if template is None:  # pragma: no cover - a code without a message is a bug
            return self.code
        params = {"value": self.value, **dict(self.params)}
        return str(template) % params if "%(" in str(template) else str(template)

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "code": self.code,
            "message": self.message,
        }


class FileProblem(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


def problem(
    code: str, *, row: int | None = None, column: str = "", value: Any = "", **params: Any
) -> Problem:
    text = "" if value is None else str(value)
    return Problem(code=code, row=row, column=column, value=text[:200], params=tuple(sorted(params.items())))


# The mapping -------------------------------------------------------------------------


def parse_mapping(raw: str | bytes | Mapping | None) -> dict[str, str] | None:
    """{source column: field} from JSON text (or a dict). None means the default mapping.
    Raises FileProblem for a malformed mapping."""
    if raw is None or raw == "" or raw == b"":
        return None
    data = raw
    if isinstance(raw, str | bytes):
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise FileProblem(problem("mapping.invalid")) from None
    if not isinstance(data, Mapping) or not all(isinstance(k, str) for k in data):
        raise FileProblem(problem("mapping.invalid"))
    mapping: dict[str, str] = {}
    targets: set[str] = set()
    for source, target in data.items():
        if target in (None, ""):
            continue  # a column explicitly ignored
        if not isinstance(target, str):
            raise FileProblem(problem("mapping.invalid"))
        if target not in IMPORT_FIELDS:
            raise FileProblem(problem("mapping.field", field=target[:80]))
        if target in targets:
            raise FileProblem(problem("mapping.twice", field=target))
        targets.add(target)
        mapping[source.strip()] = target
    return mapping


def default_mapping(header: list[str]) -> dict[str, str]:
    """Our own export format: every column headed by a field key (any case) is that field."""
    by_key = {key.casefold(): key for key in IMPORT_FIELDS}
    mapping: dict[str, str] = {}
    for name in header:
        key = by_key.get(name.strip().casefold())
        if key and key not in mapping.values():
            mapping[name] = key
    return mapping


def resolve_mapping(
    header: list[str], mapping: dict[str, str] | None
) -> tuple[dict[str, int], dict[str, str], list[Problem]]:
    """({field: column index}, the mapping used, file problems)."""
    used = default_mapping(header) if mapping is None else mapping
    index = {name.strip(): i for i, name in reversed(list(enumerate(header)))}
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    for source, target in used.items():
        position = index.get(source.strip())
        if position is None:
            problems.append(problem("file.column_missing", column=source))
            continue
        columns[target] = position
    if not problems:
        for name in REQUIRED:
            if name not in columns:
                problems.append(problem("file.required", field=name))
        if "external_id" not in columns and "number" not in columns:
            problems.append(problem("file.key_required"))
        if "commune_code" not in columns and not ("lat" in columns and "lon" in columns):
            problems.append(problem("file.place_required"))
    return columns, used, problems


# Reading files ------------------------------------------------------------------------


@dataclass
class Sheet:
    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (row number, cells), the header being row 1
    total: int | None  # data rows, when known up front (for the progress bar)
    _close: Any = field(default=None, repr=False)

    def close(self) -> None:
        if self._close is not None:
            self._close()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_format(path: Path, file_name: str = "") -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    name = (file_name or path.name).lower()
    if name.endswith((".xlsx", ".xlsm")):
        raise FileProblem(problem("file.format"))
    return "csv"


def open_sheet(path: Path, file_name: str = "") -> Sheet:
    """Open a CSV (UTF-8, comma, semicolon or tab separated) or XLSX file (first sheet).
    Raises FileProblem when it cannot be read at all."""
    fmt = detect_format(path, file_name)
    return _open_xlsx(path) if fmt == "xlsx" else _open_csv(path)


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            count += chunk.count(b"\n")
    return count


def _open_csv(path: Path) -> Sheet:
    fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by Sheet.close
    try:
        first = fh.readline()
    except UnicodeDecodeError:
        fh.close()
        raise FileProblem(problem("file.encoding")) from None
    if not first.strip():
        fh.close()
        raise FileProblem(problem("file.empty"))
    delimiter = max((",", ";", "\t"), key=first.count)
    header = [unicodedata.normalize("NFC", h).strip() for h in next(csv.reader([first], delimiter=delimiter))]
    reader = csv.reader(fh, delimiter=delimiter)
    total = max(_count_lines(path) - 1, 0)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if not cells or not any(c.strip() for c in cells):
                    continue
                yield number, cells
        except UnicodeDecodeError:
            raise FileProblem(problem("file.encoding")) from None
        except csv.Error as exc:
            raise FileProblem(problem("file.unreadable", row=number, error=str(exc)[:200])) from None

    return Sheet(format="csv", header=header, rows=rows(), total=total, _close=fh.close)


# An XLSX is a zip of XML: refused before parsing when its entries would expand past these
# (settings ANNINH_IMPORT_MAX_XLSX_BYTES and ANNINH_IMPORT_MAX_XLSX_RATIO). Spreadsheets of
# real records compress 5 to 20 times; a file of one row repeated, hundreds of times.
MAX_XLSX_BYTES = 1 << 30
MAX_XLSX_RATIO = 100
RATIO_FROM = 4 << 20  # below 4 MB expanded, any ratio (a nearly empty sheet compresses well)


def check_expansion(path: Path) -> None:
    """Raise FileProblem("file.expands") when the zip's entries declare more than the
    allowed uncompressed size, in total or relative to the file's size. The declared sizes
    bind: Python's zipfile never reads an entry past its declared size (openpyxl reads
    through it)."""
    import zipfile

    from django.conf import settings

    max_bytes = int(getattr(settings, "ANNINH_IMPORT_MAX_XLSX_BYTES", MAX_XLSX_BYTES))
    max_ratio = float(getattr(settings, "ANNINH_IMPORT_MAX_XLSX_RATIO", MAX_XLSX_RATIO))
    try:
        with zipfile.ZipFile(path) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise FileProblem(problem("file.unreadable", error=type(exc).__name__)) from None
    packed = max(path.stat().st_size, 1)
    if expanded > max_bytes or (expanded > RATIO_FROM and expanded / packed > max_ratio):
        raise FileProblem(problem("file.expands"))


def declared_rows(path: Path) -> int | None:
    """The data rows a file says it holds, cheaply: a CSV's lines (less the header), an
    XLSX's first worksheet's <dimension>, read without loading the workbook (its shared
    strings can be most of it); None when it does not say or cannot be read. For deciding,
    not for checking: the import reads every row whatever the file declares."""
    import zipfile

    from openpyxl.reader.excel import ExcelReader, _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.worksheet._read_only import read_dimension

    try:
        if detect_format(path) == "csv":
            return max(_count_lines(path) - 1, 0)
        check_expansion(path)
        reader = ExcelReader(str(path), read_only=True, data_only=True)
        try:
            reader.read_manifest()
            parser = WorkbookParser(reader.archive, _find_workbook_part(reader.package).PartName[1:])
            parser.parse()
            for _sheet, rel in parser.find_sheets():
                if "worksheet" in rel.Type:
                    with reader.archive.open(rel.target) as source:
                        bounds = read_dimension(source)
                    return max(bounds[3] - 1, 0) if bounds and bounds[3] else None
        finally:
            reader.archive.close()
    except (FileProblem, OSError, KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile):
        return None
    return None


def _open_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    check_expansion(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise FileProblem(problem("file.unreadable", error=type(exc).__name__)) from None
    sheet = workbook.worksheets[0]
    declared = sheet.max_row  # the sheet's <dimension>, for the progress bar only
    # In read-only mode openpyxl stops at the declared dimension: a file declaring fewer rows
    # than it holds would lose the rest without a word. Every row is read instead.
    sheet.reset_dimensions()
    values = sheet.iter_rows(values_only=True)
    first = next(values, None)
    if not first or not any(v not in (None, "") for v in first):
        workbook.close()
        raise FileProblem(problem("file.empty"))
    header = ["" if v is None else unicodedata.normalize("NFC", str(v)).strip() for v in first]
    total = (declared - 1) if declared else None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        number = 1
        for cells in values:
            number += 1
            if not any(v not in (None, "") for v in cells):
                continue
            yield number, list(cells)

    return Sheet(format="xlsx", header=header, rows=rows(), total=total, _close=workbook.close)


# Cells --------------------------------------------------------------------------------


def text_of(value: Any) -> str:
    """A cell as text: XLSX numbers without a spurious ".0" (a code typed as 11311)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    return str(value)


_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:hH]([0-5][0-9])(?::([0-5][0-9]))?")


def parse_datetime_cell(value: Any) -> dt.datetime:
    """A local date and time: "dd/mm/yyyy HH:MM[:SS]", "dd/mm/yyyy" (midnight), ISO dates,
    or an XLSX date cell. Raises ValidationProblem("date.format" | "date.invalid")."""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=HCM_TZ) if value.tzinfo is None else value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=HCM_TZ)
    text = text_of(value)
    if not text:
        raise ValidationProblem("date.required", "Enter the date.")
    # The common case first, without regular expressions: 05/11/2026 14:30[:15].
    n = len(text)
    if (
        n in (10, 16, 19)
        and text[2] == "/"
        and text[5] == "/"
        and (n == 10 or (text[10] == " " and text[13] == ":"))
    ):
        try:
            day, month, year = int(text[0:2]), int(text[3:5]), int(text[6:10])
            hour = minute = second = 0
            if n >= 16:
                hour, minute = int(text[11:13]), int(text[14:16])
            if n == 19:
                if text[16] != ":":
                    raise ValueError
                second = int(text[17:19])
        except ValueError:
            pass
        else:
            try:
                return dt.datetime(year, month, day, hour, minute, second, tzinfo=HCM_TZ)
            except ValueError:
                raise ValidationProblem("date.invalid", "There is no such date.") from None
    date_part, _sep, time_part = text.replace("T", " ", 1).partition(" ")
    try:
        day_value = parse_date_vn(date_part)
    except ValidationProblem as exc:
        raise ValidationProblem(
            "date.invalid" if exc.code == "date.invalid" else "date.format", exc.message
        ) from None
    hour = minute = second = 0
    time_part = time_part.strip()
    if time_part:
        match = _TIME.fullmatch(time_part)
        if match is None:
            raise ValidationProblem("date.format", "Write the time as HH:MM.")
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    return dt.datetime(day_value.year, day_value.month, day_value.day, hour, minute, second, tzinfo=HCM_TZ)


def parse_vnd_cell(value: Any) -> int:
    """Whole đồng from text ("12.500.000", "12500000 ₫") or an XLSX number; raises the
    anninh.lib.money problems (fractional, negative, ...)."""
    if isinstance(value, bool):
        raise ValidationProblem("vnd.invalid", "This is not an amount.")
    if isinstance(value, int):
        return parse_vnd(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationProblem("vnd.invalid", "This is not an amount.")
        if not value.is_integer():
            raise ValidationProblem("vnd.fractional", "Amounts in đồng cannot have a decimal part.")
        return parse_vnd(int(value))
    text = text_of(value)
    if text.isdigit():
        return parse_vnd(int(text))
    return parse_vnd(text)


def parse_float_cell(value: Any) -> float:
    if isinstance(value, bool):
        raise ValueError("bool")
    number = float(value) if isinstance(value, int | float) else float(text_of(value).replace(",", "."))
    if not math.isfinite(number):
        raise ValueError("not finite")
    return number


TRUE_WORDS = {"1", "true", "yes", "co", "x", "y"}
FALSE_WORDS = {"0", "false", "no", "khong", "n", ""}

# Vietnamese names other systems write for the kinds of incident and review states (data,
# read whatever language the catalogs hold; folded before matching).
KIND_ALIASES = {
    "toi pham": "crime",
    "vu an": "crime",
    "vi pham hanh chinh": "administrative",
    "chay": "fire",
    "no": "explosion",
    "duoi nuoc": "rescue_drowning",
    "cuu nan duoi nuoc": "rescue_drowning",
    "sap do": "rescue_collapse",
    "sat lo": "rescue_landslide",
    "tai nan giao thong": "traffic",
    "trat tu cong cong": "public_order",
}
REVIEW_ALIASES = {"nhap": "draft", "cho duyet": "submitted", "tra lai": "returned", "da duyet": "approved"}

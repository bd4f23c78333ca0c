"""Exporting incidents: CSV (streamed), XLSX and GeoJSON of any filtered incident list.

Rows come only from `incident_list(viewer=..., filters=...)`, the scoped selector of the
incident list page, so an export never holds a row its reader could not open. Names of the
people in a record go out only to viewers who see personal data, and never the name of a
reporter (denouncers are protected; their identity stays in the crime report). Every export
writes one audit row (action export) with its format, filters and row count before the
first byte leaves.

Memory stays flat: rows are read with a database cursor in chunks, and each chunk's offences
(and people) are read with one query per chunk, whatever the number of rows.

Formats: the CSV and XLSX columns are the import format (anninh.records.services.io_formats),
headed by field keys, so an exported file imports back with the default mapping. Dates are
local time, dd/mm/yyyy HH:MM:SS in CSV, date cells in XLSX, ISO 8601 in GeoJSON (a format
for GIS programs). Text cells that a spreadsheet would run as a formula get a leading
apostrophe, which the import removes again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import tempfile
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.lib.dates import HCM_TZ
from anninh.records.masking import mask_address
from anninh.records.models import IncidentOffence, IncidentPerson, PersonRole
from anninh.records.scoping import sees_personal_data
from anninh.records.selectors.incidents import IncidentFilters, incident_list

EXPORT_FORMATS = ("csv", "xlsx", "geojson")
CHUNK = 2000
XLSX_MAX_ROWS = 1_048_575  # Excel's limit, less the header row
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The people an export may name (with personal data): never the reporter.
EXPORTED_ROLES = (PersonRole.VICTIM, PersonRole.SUSPECT, PersonRole.WITNESS)

BASE_COLUMNS = (
    "number",
    "external_id",
    "kind",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "commune_code",
    "commune_name",
    "address",
    "lat",
    "lon",
    "premises",
    "articles",
    "offence_group",
    "losses_vnd",
    "unit_code",
    "review_status",
    "synthetic",
    "narrative",
)
_VALUES = (
    "pk",
    "number",
    "external_id",
    "kind",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "commune_id",
    "commune__name",
    "address",
    "lat",
    "lon",
    "premises",
    "offence_group",
    "losses_vnd",
    "responsible_unit__code",
    "review_status",
    "is_synthetic",
    "narrative",
)


class ExportTooLarge(Exception):
    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows
        self.message = _(
            "%(rows)s incidents are more than a spreadsheet holds (1,048,575): export CSV instead."
        ) % {"rows": f"{rows:,}".replace(",", ".")}


def export_columns(viewer) -> list[str]:
    return [*BASE_COLUMNS, "persons"] if sees_personal_data(viewer) else list(BASE_COLUMNS)


def _audit(viewer, *, fmt: str, filters_params: dict, rows: int, via: str, personal: bool) -> None:
    audit_record(
        actor=viewer,
        action=AuditAction.EXPORT,
        object_type="records.incident",
        object_repr=f"{rows} incidents ({fmt})",
        extra={"format": fmt, "filters": filters_params, "rows": rows, "via": via, "personal_data": personal},
    )


def _prepare(viewer, filters: IncidentFilters, fmt: str, via: str) -> tuple[Any, int, bool]:
    qs = incident_list(viewer=viewer, filters=filters)
    rows = qs.count()
    if fmt == "xlsx" and rows > XLSX_MAX_ROWS:
        raise ExportTooLarge(rows)
    personal = sees_personal_data(viewer)
    _audit(viewer, fmt=fmt, filters_params=filters.as_params(), rows=rows, via=via, personal=personal)
    return qs, rows, personal


def _records(qs, *, personal: bool) -> Iterator[dict[str, Any]]:
    """Each incident as a dict of export columns (Python values), chunk by chunk."""
    iterator = qs.values_list(*_VALUES).iterator(chunk_size=CHUNK)
    while chunk := list(itertools.islice(iterator, CHUNK)):
        ids = [row[0] for row in chunk]
        articles: dict[int, list[tuple[bool, str, str]]] = {}
        for incident_id, main, article, clause in IncidentOffence.objects.filter(
            incident_id__in=ids
        ).values_list("incident_id", "is_main", "offence__article", "clause"):
            label = article + (f"/{clause}" if clause else "")
            articles.setdefault(incident_id, []).append((not main, article, label))
        people: dict[int, list[str]] = {}
        if personal:
            labels = {role.value: str(role.label) for role in PersonRole}
            for incident_id, role, name in (
                IncidentPerson.objects.unrestricted()
                .filter(incident_id__in=ids, role__in=EXPORTED_ROLES)
                .order_by("incident_id", "role", "id")
                .values_list("incident_id", "role", "person__full_name")
            ):
                people.setdefault(incident_id, []).append(f"{labels.get(role, role)}: {name}")
        for row in chunk:
            (
                pk,
                number,
                external_id,
                kind,
                occurred_from,
                occurred_to,
                reported_at,
                commune,
                commune_name,
                address,
                lat,
                lon,
                premises,
                group,
                losses,
                unit_code,
                review,
                synthetic,
                narrative,
            ) = row
            record = {
                "number": number,
                "external_id": external_id or "",
                "kind": kind,
                "occurred_from": occurred_from,
                "occurred_to": occurred_to,
                "reported_at": reported_at,
                "commune_code": commune,
                "commune_name": commune_name,
                "address": address if personal else mask_address(address),
                "lat": lat,
                "lon": lon,
                "premises": premises,
                "articles": "; ".join(label for _m, _a, label in sorted(articles.get(pk, []))),
                "offence_group": group,
                "losses_vnd": losses,
                "unit_code": unit_code,
                "review_status": review,
                "synthetic": 1 if synthetic else 0,
                "narrative": narrative if personal else "",
            }
            if personal:
                record["persons"] = "; ".join(people.get(pk, []))
            yield record


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else value.astimezone(HCM_TZ)


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) with a leading
    apostrophe, which spreadsheets show as text and our import removes again. Every CSV or
    XLSX cell of text that leaves the system goes through this (exports, import problems)."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return _local(value).strftime("%d/%m/%Y %H:%M:%S")
    return neutralise(value if isinstance(value, str) else str(value))


class _Echo:
    def write(self, value: str) -> str:
        return value


# CSV --------------------------------------------------------------------------------------


def incidents_export_csv(*, viewer, filters: IncidentFilters, via: str = "page") -> tuple[Iterator[str], int]:
    """(lines of CSV text, number of rows). Audited now; the lines are produced as read."""
    import csv

    qs, rows, personal = _prepare(viewer, filters, "csv", via)
    columns = export_columns(viewer)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Echo())
        yield "\ufeff"  # so spreadsheet programs read the file as UTF-8 (Vietnamese)
        yield writer.writerow(columns)
        for record in _records(qs, personal=personal):
            yield writer.writerow([_text(record[c]) for c in columns])

    return lines(), rows


# GeoJSON ----------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return _local(value).isoformat()
    return value


def incidents_export_geojson(
    *, viewer, filters: IncidentFilters, via: str = "page"
) -> tuple[Iterator[str], int]:
    """(chunks of a GeoJSON FeatureCollection, number of features). Incidents without a
    point have a null geometry."""
    qs, rows, personal = _prepare(viewer, filters, "geojson", via)
    columns = [c for c in export_columns(viewer) if c not in ("lat", "lon")]

    def chunks() -> Iterator[str]:
        yield '{"type":"FeatureCollection","features":['
        first = True
        for record in _records(qs, personal=personal):
            geometry = (
                {"type": "Point", "coordinates": [record["lon"], record["lat"]]}
                if record["lat"] is not None
                else None
            )
            feature = {
                "type": "Feature",
                "id": record["number"],
                "geometry": geometry,
                "properties": {c: _json_value(record[c]) for c in columns},
            }
            yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
            first = False
        yield "]}"

    return chunks(), rows


# XLSX -------------------------------------------------------------------------------------


def incidents_export_xlsx(*, viewer, filters: IncidentFilters, via: str = "page") -> tuple[Any, int]:
    """(a temporary file holding the workbook, number of rows). The workbook is written in
    openpyxl's streaming mode, so memory stays flat; the file is deleted when closed."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    qs, rows, personal = _prepare(viewer, filters, "xlsx", via)
    columns = export_columns(viewer)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Incidents")[:31])
    sheet.append(columns)
    dates = {"occurred_from", "occurred_to", "reported_at"}
    numbers = {"lat", "lon", "losses_vnd", "synthetic"}
    for record in _records(qs, personal=personal):
        cells: list[Any] = []
        for c in columns:
            value = record[c]
            if c in dates:
                if value is None:
                    cells.append(None)
                else:
                    cell = WriteOnlyCell(sheet, value=_local(value).replace(tzinfo=None))
                    cell.number_format = "dd/mm/yyyy hh:mm:ss"
                    cells.append(cell)
            elif c in numbers:
                cells.append(value)
            else:
                cells.append(_text(value) or None)
        sheet.append(cells)
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - returned to the caller, who closes it
    workbook.save(handle)
    handle.seek(0)
    return handle, rows


def export_file_name(fmt: str) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return f"incidents-{stamp}.{fmt}"

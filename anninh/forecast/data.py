"""Reading incident CSV files (plain or gzip) for the command line, with row-precise errors.

Any city's export works as long as it has a date column (ISO 8601: ``2019-01-07``,
``2019-01-07T13:45``, ``2019-01-07 13:45:00``...), latitude and longitude in decimal degrees, and
optionally an hour column and an offence column. With ``strict`` a bad value stops the run with a
:class:`DataError` naming the first bad row (1-based data row, header not counted) and the value.
Without it (the command line's default: real open data has holes) bad rows are left out, but
never silently: :attr:`Incidents.skipped` counts them per reason with their first row numbers,
and the command line reports them in its log and its results file.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Incidents farther than this from the median location are treated as bad coordinates (a
#: geocoder's default point, a swapped lat/lon): a city is far smaller, and a transverse
#: Mercator centred on the data stays accurate to well under a metre per kilometre within it.
DEFAULT_MAX_RADIUS_KM = 300.0


class DataError(ValueError):
    """The input cannot be used as it is; the message says where and why."""


#: Why a row can be skipped (``strict=False``), in the order they are checked: a row is
#: counted under its first problem only.
SKIP_REASONS: dict[str, str] = {
    "fields": "fewer fields than the header",
    "date": "date missing or not an ISO date",
    "hour": "hour missing or not a whole hour from 0 to 23",
    "latitude": "latitude missing or not a number between -90 and 90",
    "longitude": "longitude missing or not a number between -180 and 180",
    "zero": "coordinates (0, 0), a missing location",
    "far": "location too far from the median of the data",
}
#: Row numbers kept per reason for the report (the count is always complete).
FIRST_ROWS = 5


@dataclass(frozen=True)
class Skipped:
    """Rows left out for one reason: how many, the first few row numbers and one value."""

    reason: str
    count: int
    first_rows: list[int]
    example: str

    def as_dict(self) -> dict[str, object]:
        return {
            "reason": SKIP_REASONS[self.reason],
            "count": self.count,
            "first_rows": self.first_rows,
            "example": self.example,
        }


@dataclass(frozen=True)
class Incidents:
    """Parsed rows: day numbers (days since 1970-01-01), hours (0 when unknown), coordinates in
    degrees and the offence of each row (None without an offence column). ``hours_known`` says
    whether the hours came from an hour column or from times in the date column; ``skipped``
    lists the rows left out (only when read with ``strict=False``)."""

    day: np.ndarray
    hour: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    offence: np.ndarray | None
    hours_known: bool = False
    skipped: tuple[Skipped, ...] = ()

    def __len__(self) -> int:
        return int(self.day.size)

    @property
    def n_skipped(self) -> int:
        """Rows left out, all reasons together."""
        return sum(s.count for s in self.skipped)

    def skipped_summary(self) -> dict[str, object]:
        """The skipped rows for a results file: total and, per reason, count and first rows."""
        return {"total": self.n_skipped, "reasons": {s.reason: s.as_dict() for s in self.skipped}}


def _open_text(path: Path) -> io.TextIOBase:
    """Open a CSV file as text, transparently un-gzipping by content (not by name)."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")  # type: ignore[return-value]
    return open(path, encoding="utf-8-sig", newline="")


def parse_datetime(text: str) -> tuple[int, int | None]:
    """(day number, hour or None) of an ISO 8601 date or date-time; ValueError if not one.

    A time zone, when present, is ignored: incidents are binned by their local date.
    """
    value = text.strip()
    if not value:
        raise ValueError("empty")
    parsed = dt.datetime.fromisoformat(value)
    has_time = len(value) > 10
    day = (parsed.date() - dt.date(1970, 1, 1)).days
    return day, parsed.hour if has_time else None


def _column(header: list[str], name: str | None, role: str) -> int | None:
    if name is None:
        return None
    if name not in header:
        raise DataError(f"{role} column {name!r} not found; the columns are: {', '.join(header) or '(none)'}")
    return header.index(name)


def read_incidents(
    path: str | Path,
    date_column: str,
    lat_column: str,
    lon_column: str,
    hour_column: str | None = None,
    offence_column: str | None = None,
    max_radius_km: float = DEFAULT_MAX_RADIUS_KM,
    strict: bool = True,
) -> Incidents:
    """Read and validate an incident CSV.

    With ``strict`` (the default) the first bad row raises :class:`DataError`, naming the row
    and its value. Without it, bad rows (see :data:`SKIP_REASONS`) are left out and counted in
    ``Incidents.skipped``; only a file with no usable row at all raises.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    short: list[tuple[int, list[str]]] = []
    try:
        with _open_text(path) as handle:
            reader = csv.reader(handle)
            try:
                header = [h.strip() for h in next(reader)]
            except StopIteration:
                raise DataError(f"{path}: the file is empty") from None
            i_date = _column(header, date_column, "date")
            i_lat = _column(header, lat_column, "latitude")
            i_lon = _column(header, lon_column, "longitude")
            i_hour = _column(header, hour_column, "hour")
            i_off = _column(header, offence_column, "offence")
            width = len(header)
            rows = []
            for number, row in enumerate(reader, start=1):
                if not row:
                    continue
                if len(row) < width:
                    if strict:
                        raise DataError(f"row {number}: {len(row)} fields where the header has {width}")
                    short.append((number, row))
                    continue
                rows.append((number, row))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read the file ({exc})") from exc
    if not rows and not short:
        raise DataError(f"{path}: no data rows")

    skipped: list[Skipped] = []
    if short:
        first = [number for number, _ in short[:FIRST_ROWS]]
        skipped.append(Skipped("fields", len(short), first, f"{len(short[0][1])} of {width} fields"))
    numbers = np.array([number for number, _ in rows], dtype=np.int64)
    n = len(rows)
    ok = np.ones(n, dtype=bool)

    def drop(reason: str, bad: np.ndarray, texts: list[str], message: str) -> None:
        """Leave out the rows in ``bad`` not already left out; in strict mode raise instead,
        ``message`` formatted with the first bad row's number and value."""
        new = np.flatnonzero(bad & ok)
        if new.size == 0:
            return
        k = int(new[0])
        if strict:
            raise DataError(message.format(number=int(numbers[k]), value=texts[k]))
        skipped.append(Skipped(reason, int(new.size), [int(numbers[i]) for i in new[:FIRST_ROWS]], texts[k]))
        ok[new] = False

    day = np.zeros(n, dtype=np.int64)
    hour = np.zeros(n, dtype=float)
    cache: dict[str, tuple[int, int | None] | None] = {}
    assert i_date is not None and i_lat is not None and i_lon is not None
    date_texts = [row[i_date] for _, row in rows]
    date_bad = np.zeros(n, dtype=bool)
    hours_known = i_hour is not None
    for k, text in enumerate(date_texts):
        if text in cache:
            parsed = cache[text]
        else:
            try:
                parsed = parse_datetime(text)
            except ValueError:
                parsed = None
            cache[text] = parsed
        if parsed is None:
            date_bad[k] = True
            continue
        day[k] = parsed[0]
        if parsed[1] is not None:
            hour[k] = parsed[1]
            hours_known = True
    drop(
        "date",
        date_bad,
        date_texts,
        "row {number}: date {value!r} in column " + repr(date_column) + " is not an ISO date "
        "(YYYY-MM-DD, optionally with a time)",
    )

    if i_hour is not None:
        hour_texts = [row[i_hour].strip() for _, row in rows]
        hour_bad = np.zeros(n, dtype=bool)
        for k, text in enumerate(hour_texts):
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (0 <= value < 24) or value != int(value):
                hour_bad[k] = True
            else:
                hour[k] = value
        drop(
            "hour",
            hour_bad,
            hour_texts,
            "row {number}: hour {value!r} in column "
            + repr(hour_column)
            + " is not a whole hour from 0 to 23",
        )

    lat, lat_texts, lat_bad = _coordinates(rows, i_lat, 90.0)
    drop("latitude", lat_bad, lat_texts, _coordinate_message("latitude", lat_column, 90.0))
    lon, lon_texts, lon_bad = _coordinates(rows, i_lon, 180.0)
    drop("longitude", lon_bad, lon_texts, _coordinate_message("longitude", lon_column, 180.0))
    pairs = [f"({a}, {b})" for a, b in zip(lat_texts, lon_texts, strict=True)]
    drop(
        "zero",
        (lat == 0) & (lon == 0),
        pairs,
        "row {number}: coordinates (0, 0) are a missing location, not a place",
    )
    if ok.any():
        dist = _distance_from_median(lat, lon, ok)
        far = dist > max_radius_km
        if far.any():
            where = [f"({lat[k]}, {lon[k]}) is {dist[k]:.0f} km from the median" for k in range(n)]
            drop(
                "far",
                far,
                where,
                "row {number}: location {value} of the data (more than "
                + f"{max_radius_km:g} km): a wrong or swapped coordinate?",
            )
    if not ok.any():
        reasons = "; ".join(f"{s.count} with {SKIP_REASONS[s.reason]}" for s in skipped)
        raise DataError(f"{path}: no usable row ({reasons})")
    offence = None
    if i_off is not None:
        offence = np.array([row[i_off].strip() for _, row in rows])[ok]
    return Incidents(
        day=day[ok],
        hour=hour[ok],
        lat=lat[ok],
        lon=lon[ok],
        offence=offence,
        hours_known=hours_known,
        skipped=tuple(skipped),
    )


def _coordinate_message(role: str, column: str, limit: float) -> str:
    return (
        "row {number}: " + role + " {value!r} in column " + repr(column) + " is not a number "
        f"between -{limit:g} and {limit:g}"
    )


def _coordinates(
    rows: list[tuple[int, list[str]]], index: int, limit: float
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Parse one coordinate column: (values, NaN where bad; the texts; the bad rows). Fast
    vectorised path, row by row only when some text is not a number."""
    texts = [row[index].strip() for _, row in rows]
    try:
        values = np.array(texts, dtype=float)
    except ValueError:
        values = np.array([_to_float(t) for t in texts], dtype=float)
    bad = ~np.isfinite(values) | (np.abs(values) > limit)
    values[bad] = np.nan
    return values, texts, bad


def _to_float(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return math.nan


def _distance_from_median(lat: np.ndarray, lon: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Haversine distance (km) of every row from the median of the rows in ``ok`` (NaN rows
    give NaN, which compares false)."""
    mlat, mlon = np.radians(np.median(lat[ok])), np.radians(np.median(lon[ok]))
    plat, plon = np.radians(lat), np.radians(lon)
    a = np.sin((plat - mlat) / 2) ** 2 + np.cos(mlat) * np.cos(plat) * np.sin((plon - mlon) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))

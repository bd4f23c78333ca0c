"""Reading incident CSV files (plain or gzip) for the command line, with row-precise errors.

Any city's export works as long as it has a date column (ISO 8601: ``2019-01-07``,
``2019-01-07T13:45``, ``2019-01-07 13:45:00``...), latitude and longitude in decimal degrees, and
optionally an hour column and an offence column. A bad value stops the run with a
:class:`DataError` naming the first bad row (1-based data row, header not counted) and the value,
because silently dropping rows would silently change the study area and the scores.
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


@dataclass(frozen=True)
class Incidents:
    """Parsed rows: day numbers (days since 1970-01-01), hours (0 when unknown), coordinates in
    degrees and the offence of each row (None without an offence column)."""

    day: np.ndarray
    hour: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    offence: np.ndarray | None

    def __len__(self) -> int:
        return int(self.day.size)


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
) -> Incidents:
    """Read and validate an incident CSV. Raises :class:`DataError` on the first problem."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
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
                    raise DataError(f"row {number}: {len(row)} fields where the header has {width}")
                rows.append((number, row))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path}: cannot read the file ({exc})") from exc
    if not rows:
        raise DataError(f"{path}: no data rows")

    numbers = [n for n, _ in rows]
    n = len(rows)
    day = np.empty(n, dtype=np.int64)
    hour = np.zeros(n, dtype=float)
    cache: dict[str, tuple[int, int | None]] = {}
    assert i_date is not None and i_lat is not None and i_lon is not None
    for k, (number, row) in enumerate(rows):
        text = row[i_date]
        parsed = cache.get(text)
        if parsed is None:
            try:
                parsed = parse_datetime(text)
            except ValueError:
                raise DataError(
                    f"row {number}: date {text!r} in column {date_column!r} is not an ISO date "
                    "(YYYY-MM-DD, optionally with a time)"
                ) from None
            cache[text] = parsed
        day[k] = parsed[0]
        if parsed[1] is not None:
            hour[k] = parsed[1]

    if i_hour is not None:
        for k, (number, row) in enumerate(rows):
            text = row[i_hour].strip()
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if not (0 <= value < 24) or value != int(value):
                raise DataError(
                    f"row {number}: hour {text!r} in column {hour_column!r} is not a whole hour from 0 to 23"
                )
            hour[k] = value

    lat = _coordinates(rows, i_lat, lat_column, "latitude", 90.0)
    lon = _coordinates(rows, i_lon, lon_column, "longitude", 180.0)
    zero = np.flatnonzero((lat == 0) & (lon == 0))
    if zero.size:
        raise DataError(f"row {numbers[zero[0]]}: coordinates (0, 0) are a missing location, not a place")
    _check_spread(lat, lon, numbers, max_radius_km)
    offence = None
    if i_off is not None:
        offence = np.array([row[i_off].strip() for _, row in rows])
    return Incidents(day=day, hour=hour, lat=lat, lon=lon, offence=offence)


def _coordinates(
    rows: list[tuple[int, list[str]]], index: int, column: str, role: str, limit: float
) -> np.ndarray:
    """Parse one coordinate column: fast vectorised path, row-by-row only to name a bad row."""
    texts = [row[index].strip() for _, row in rows]
    try:
        values = np.array(texts, dtype=float)
    except ValueError:
        values = None
    if values is not None:
        bad = np.flatnonzero(~np.isfinite(values) | (np.abs(values) > limit))
        if bad.size == 0:
            return values
        first = int(bad[0])
    else:
        first = next(k for k, t in enumerate(texts) if not _is_float(t))
    number, _ = rows[first]
    raise DataError(
        f"row {number}: {role} {texts[first]!r} in column {column!r} is not a number "
        f"between -{limit:g} and {limit:g}"
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_spread(lat: np.ndarray, lon: np.ndarray, numbers: list[int], max_radius_km: float) -> None:
    """Reject the first point implausibly far from the data's median (haversine distance)."""
    mlat, mlon = np.radians(np.median(lat)), np.radians(np.median(lon))
    plat, plon = np.radians(lat), np.radians(lon)
    a = np.sin((plat - mlat) / 2) ** 2 + np.cos(mlat) * np.cos(plat) * np.sin((plon - mlon) / 2) ** 2
    dist = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    far = np.flatnonzero(dist > max_radius_km)
    if far.size:
        k = int(far[0])
        raise DataError(
            f"row {numbers[k]}: location ({lat[k]}, {lon[k]}) is {dist[k]:.0f} km from the "
            f"median of the data (more than {max_radius_km:g} km): a wrong or swapped coordinate?"
        )

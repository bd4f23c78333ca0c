"""Reference data the records app ships with: public days off (for the legal clock).

`data/days_off.csv` has one row per day off: date, name, status (`official`: from the
government's decision for that year; `law`: fixed by the Labour Code 2019 Art. 112;
`provisional`: worked out from the law and last year's pattern while the year's decision is
not known, marked "(tạm tính)" in the name) and source. When the government publishes a
year's decision, correct the file and run `manage.py days_off_sync --prune`.
"""

import csv
import datetime as dt
from pathlib import Path

DAYS_OFF_CSV = Path(__file__).resolve().parent / "data" / "days_off.csv"


def days_off_rows() -> list[tuple[dt.date, str]]:
    with DAYS_OFF_CSV.open(encoding="utf-8") as fh:
        return [(dt.date.fromisoformat(row["date"]), row["name"]) for row in csv.DictReader(fh)]


def days_off_load(model, *, prune: bool = False) -> int:
    """Load the days-off table into ``model`` (the real model or a migration's historical
    one); idempotent. `prune`: also delete the days of the file's years that are no longer
    in the file (a provisional day the official decision did not keep). Returns the number
    of rows in the file."""
    rows = days_off_rows()
    for day, name in rows:
        model.objects.update_or_create(date=day, defaults={"name": name})
    if prune:
        years = {day.year for day, _ in rows}
        model.objects.filter(date__year__in=sorted(years)).exclude(date__in=[d for d, _ in rows]).delete()
    return len(rows)

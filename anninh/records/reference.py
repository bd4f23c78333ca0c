"""Reference data the records app ships with: public days off (for the legal clock)."""

import csv
import datetime as dt
from pathlib import Path

DAYS_OFF_CSV = Path(__file__).resolve().parent / "data" / "days_off.csv"


def days_off_load(model) -> int:
    """Load the days-off table into ``model`` (the real model or a migration's historical
    one); idempotent. Returns the number of rows in the file."""
    count = 0
    with DAYS_OFF_CSV.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            model.objects.update_or_create(
                date=dt.date.fromisoformat(row["date"]), defaults={"name": row["name"]}
            )
            count += 1
    return count

"""Loading and looking up the offence table (Penal Code articles, versioned)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from anninh.lib.text import fold

DATA = Path(__file__).resolve().parent / "data" / "offences.csv"


def offence_rows() -> list[dict]:
    with DATA.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for r in rows:
        out.append(
            {
                "article": r["article"],
                "valid_from": dt.date.fromisoformat(r["valid_from"]),
                "defaults": {
                    "name": r["name_vi"],
                    "name_en": r["name_en"],
                    "chapter": r["chapter"],
                    "group": r["group"],
                    "handling_unit_code": r["handling_unit"],
                    "threshold_vnd": int(r["threshold_vnd"]) if r["threshold_vnd"] else None,
                    "victim_request_clause1": r["victim_request_clause1"] == "1",
                    "law_version": r["law_version"],
                    "valid_to": dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
                    "search_key": fold(f"{r['article']} {r['name_vi']} {r['name_en']}"),
                },
            }
        )
    return out


def offences_load(model) -> tuple[int, int]:
    """Create or update every row of the offence table (idempotent). `model` is the Offence
    class (historical in migrations). Returns (created, updated)."""
    created = updated = 0
    for row in offence_rows():
        _, was_created = model.objects.update_or_create(
            article=row["article"], valid_from=row["valid_from"], defaults=row["defaults"]
        )
        created += was_created
        updated += not was_created
    return created, updated

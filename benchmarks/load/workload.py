"""What the load run's users send: request bodies and read parameters, shared by the load
generator (locustfile.py) and the CPU profile (cpu_profile.py) so both measure the same requests.
Plain Python (no locust, no Django import)."""

from __future__ import annotations

import datetime as dt
import random

ARTICLES = ["173", "171", "134", "168", "174", "178", "260", "321"]
REPORT_ARTICLES = ["173", "174", "171", "134"]

INCIDENTS = "/api/records/incidents"
REPORTS = "/api/records/reports"
MAP = "/api/records/incidents/map"
COMPSTAT_SUMMARY = "/api/compstat/summary"
COMPSTAT_SERIES = "/api/compstat/series"


def now_local() -> dt.datetime:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(microsecond=0)


def incident_body(me: dict, key: str) -> dict:
    """A new incident in the officer's commune; `key` goes into the narrative (verify.py finds
    duplicates by it)."""
    now = now_local()
    lat = me["lat"] + random.uniform(-0.0004, 0.0004)
    lon = me["lon"] + random.uniform(-0.0004, 0.0004)
    return {
        "kind": "crime",
        "occurred_from": (now - dt.timedelta(hours=random.randint(1, 48))).isoformat(),
        "reported_at": now.isoformat(),
        "responsible_unit_id": me["unit_id"],
        "commune": me["commune"],
        "lat": round(lat, 6),
        "lon": round(lon, 6),
        "address": f"{random.randint(1, 300)} đường Lạch Tray",
        "premises": random.choice(["street", "home", "shop", "market"]),
        "narrative": f"Tải thử nghiệm. load-key:{key}",
        "offences": [{"article": random.choice(ARTICLES), "clause": 1, "is_main": True}],
        "persons": [
            {
                "role": "victim",
                "full_name": "Nguyễn Văn Tải",
                "phone": f"09{random.randint(10**7, 10**8 - 1)}",
            }
        ],
        "losses": [{"description": "Điện thoại", "value_vnd": random.randint(1, 50) * 500_000}],
    }


def incident_update_body(me: dict, mine: dict) -> dict:
    """A full rewrite of one of the officer's incidents (`mine`: id, version, key)."""
    body = incident_body(me, mine["key"])
    body["version"] = mine["version"]
    body["address"] = f"{random.randint(1, 300)} phố Cầu Đất (sửa)"
    return body


def report_body(me: dict, key: str) -> dict:
    return {
        "kind": "to_giac",
        "channel": random.choice(["in_person", "phone_113", "online"]),
        "received_at": now_local().isoformat(),
        "summary": f"Tố giác tải thử nghiệm. load-key:{key}",
        "commune": me["commune"],
        "address": f"{random.randint(1, 300)} đường Trần Nguyên Hãn",
        "reporter": {"full_name": "Trần Thị Báo", "phones": [f"09{random.randint(10**7, 10**8 - 1)}"]},
    }


def classify_body(mine: dict) -> dict:
    return {"version": mine["version"], "offence_article": random.choice(REPORT_ARTICLES)}


def incident_list_params(communes: list[str]) -> dict:
    params = random.choice([{}, {"commune": random.choice(communes)}, {"offence_group": "property"}])
    return {**params, "limit": 50}


def report_list_params() -> dict:
    return {"limit": 50}


def compstat_summary_params() -> dict:
    return {"period": random.choice(["week", "28d", "month"]), "series": "false"}


def compstat_series_params() -> dict:
    return {"period": "week"}


def map_params(communes: list[str]) -> dict:
    return random.choice([{}, {"commune": random.choice(communes)}])

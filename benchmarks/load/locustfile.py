"""Officers writing and commanders reading, through the API with personal tokens.

Run by benchmarks/load/run.py (locust headless, a fixed number of users and a fixed duration,
on 127.0.0.1 only). Needs in the environment:

- LOAD_USERS: the JSON written by prepare.py (tokens, units, points);
- LOAD_ACKS: a file to append one JSON line per write the server acknowledged (2xx), with the
  X-Request-ID the server gave it, so verify.py can find the write and its audit row;
- LOAD_OFFICER_WAIT / LOAD_COMMANDER_WAIT: think time "min,max" seconds.

Each officer creates incidents and crime reports and updates only what it created itself (so
every 409 counts as a real conflict, not as two users racing on purpose). Nothing is ever
retried: a write that failed is left to verify.py to prove it left no trace (or was committed
without an answer, which it reports).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import uuid
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

USERS = json.loads(open(os.environ["LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
ACKS = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
_officers = itertools.cycle(USERS["officers"])
_commanders = itertools.cycle(USERS["commanders"])
ARTICLES = ["173", "171", "134", "168", "174", "178", "260", "321"]
REPORT_ARTICLES = ["173", "174", "171", "134"]


@events.test_start.add_listener
def _loopback_only(environment, **kwargs):
    host = urlparse(environment.host or "").hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load {host!r}: loopback only")


def _wait(name: str, default: str):
    low, high = (float(x) for x in os.environ.get(name, default).split(","))
    return between(low, high)


def _ack(kind: str, response, **fields) -> None:
    ACKS.write(
        json.dumps(
            {
                "kind": kind,
                "status": response.status_code,
                "request_id": response.headers.get("X-Request-ID", ""),
                **fields,
            }
        )
        + "\n"
    )


def _now_local() -> dt.datetime:
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(microsecond=0)


class Officer(HttpUser):
    """A commune officer: records incidents and crime reports of its commune, and corrects them."""

    fixed_count = int(os.environ.get("LOAD_OFFICERS", 50))
    wait_time = _wait("LOAD_OFFICER_WAIT", "1,5")

    def on_start(self):
        self.me = next(_officers)
        self.client.headers["Authorization"] = f"Bearer {self.me['token']}"
        self.incidents: list[dict] = []  # {id, version}
        self.reports: list[dict] = []

    def _incident_body(self, key: str) -> dict:
        now = _now_local()
        lat = self.me["lat"] + random.uniform(-0.0004, 0.0004)
        lon = self.me["lon"] + random.uniform(-0.0004, 0.0004)
        return {
            "kind": "crime",
            "occurred_from": (now - dt.timedelta(hours=random.randint(1, 48))).isoformat(),
            "reported_at": now.isoformat(),
            "responsible_unit_id": self.me["unit_id"],
            "commune": self.me["commune"],
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

    @task(4)
    def create_incident(self):
        key = uuid.uuid4().hex
        with self.client.post(
            "/api/records/incidents",
            json=self._incident_body(key),
            name="officer: create incident",
            catch_response=True,
        ) as r:
            if r.status_code == 201:
                data = r.json()
                self.incidents.append({"id": data["id"], "version": data["version"], "key": key})
                _ack(
                    "incident.create",
                    r,
                    id=data["id"],
                    version=data["version"],
                    key=key,
                    user=self.me["username"],
                )
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")

    @task(3)
    def update_incident(self):
        if not self.incidents:
            return self.create_incident()
        mine = random.choice(self.incidents)
        body = self._incident_body(mine["key"])
        body["version"] = mine["version"]
        body["address"] = f"{random.randint(1, 300)} phố Cầu Đất (sửa)"
        with self.client.put(
            f"/api/records/incidents/{mine['id']}",
            json=body,
            name="officer: update incident",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                mine["version"] = r.json()["version"]
                _ack("incident.update", r, id=mine["id"], version=mine["version"], user=self.me["username"])
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")
        return None

    @task(2)
    def receive_report(self):
        key = uuid.uuid4().hex
        body = {
            "kind": "to_giac",
            "channel": random.choice(["in_person", "phone_113", "online"]),
            "received_at": _now_local().isoformat(),
            "summary": f"Tố giác tải thử nghiệm. load-key:{key}",
            "commune": self.me["commune"],
            "address": f"{random.randint(1, 300)} đường Trần Nguyên Hãn",
            "reporter": {"full_name": "Trần Thị Báo", "phones": [f"09{random.randint(10**7, 10**8 - 1)}"]},
        }
        with self.client.post(
            "/api/records/reports", json=body, name="officer: receive crime report", catch_response=True
        ) as r:
            if r.status_code == 201:
                data = r.json()
                self.reports.append({"id": data["id"], "version": data["version"], "classified": False})
                _ack(
                    "report.create",
                    r,
                    id=data["id"],
                    version=data["version"],
                    key=key,
                    user=self.me["username"],
                )
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")

    @task(1)
    def classify_report(self):
        waiting = [x for x in self.reports if not x["classified"]]
        if not waiting:
            return self.receive_report()
        mine = random.choice(waiting)
        body = {"version": mine["version"], "offence_article": random.choice(REPORT_ARTICLES)}
        with self.client.post(
            f"/api/records/reports/{mine['id']}/classify",
            json=body,
            name="officer: classify crime report",
            catch_response=True,
        ) as r:
            if r.status_code == 200:
                mine["version"] = r.json()["version"]
                mine["classified"] = True
                _ack("report.update", r, id=mine["id"], version=mine["version"], user=self.me["username"])
                r.success()
            else:
                r.failure(f"{r.status_code}: {r.text[:200]}")
        return None


class Commander(HttpUser):
    """A city-wide commander: lists, CompStat, maps."""

    fixed_count = int(os.environ.get("LOAD_COMMANDERS", 20))
    wait_time = _wait("LOAD_COMMANDER_WAIT", "2,6")

    def on_start(self):
        self.me = next(_commanders)
        self.client.headers["Authorization"] = f"Bearer {self.me['token']}"
        self.communes = USERS["communes"]

    @task(3)
    def incident_list(self):
        params = random.choice([{}, {"commune": random.choice(self.communes)}, {"offence_group": "property"}])
        self.client.get(
            "/api/records/incidents", params={**params, "limit": 50}, name="commander: incident list"
        )

    @task(2)
    def report_list(self):
        self.client.get("/api/records/reports", params={"limit": 50}, name="commander: crime report list")

    @task(2)
    def compstat(self):
        period = random.choice(["week", "28d", "month"])
        self.client.get(
            "/api/compstat/summary",
            params={"period": period, "series": "false"},
            name="commander: CompStat summary",
        )

    @task(1)
    def compstat_series(self):
        self.client.get("/api/compstat/series", params={"period": "week"}, name="commander: CompStat series")

    @task(2)
    def incident_map(self):
        params = random.choice([{}, {"commune": random.choice(self.communes)}])
        self.client.get("/api/records/incidents/map", params=params, name="commander: incident map")

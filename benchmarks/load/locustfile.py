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

import itertools
import json
import os
import random
import uuid
from urllib.parse import urlparse

import workload as w  # beside this file: locust puts the locustfile's folder on sys.path
from locust import HttpUser, between, events, task

USERS = json.loads(open(os.environ["LOAD_USERS"], encoding="utf-8").read())  # noqa: SIM115
ACKS = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
_officers = itertools.cycle(USERS["officers"])
_commanders = itertools.cycle(USERS["commanders"])


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


class Officer(HttpUser):
    """A commune officer: records incidents and crime reports of its commune, and corrects them."""

    fixed_count = int(os.environ.get("LOAD_OFFICERS", 50))
    wait_time = _wait("LOAD_OFFICER_WAIT", "1,5")

    def on_start(self):
        self.me = next(_officers)
        self.client.headers["Authorization"] = f"Bearer {self.me['token']}"
        self.incidents: list[dict] = []  # {id, version}
        self.reports: list[dict] = []

    @task(4)
    def create_incident(self):
        key = uuid.uuid4().hex
        with self.client.post(
            w.INCIDENTS,
            json=w.incident_body(self.me, key),
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
        with self.client.put(
            f"{w.INCIDENTS}/{mine['id']}",
            json=w.incident_update_body(self.me, mine),
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
        with self.client.post(
            w.REPORTS,
            json=w.report_body(self.me, key),
            name="officer: receive crime report",
            catch_response=True,
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
        with self.client.post(
            f"{w.REPORTS}/{mine['id']}/classify",
            json=w.classify_body(mine),
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
        params = w.incident_list_params(self.communes)
        self.client.get(w.INCIDENTS, params=params, name="commander: incident list")

    @task(2)
    def report_list(self):
        self.client.get(w.REPORTS, params=w.report_list_params(), name="commander: crime report list")

    @task(2)
    def compstat(self):
        params = w.compstat_summary_params()
        self.client.get(w.COMPSTAT_SUMMARY, params=params, name="commander: CompStat summary")

    @task(1)
    def compstat_series(self):
        params = w.compstat_series_params()
        self.client.get(w.COMPSTAT_SERIES, params=params, name="commander: CompStat series")

    @task(2)
    def incident_map(self):
        self.client.get(w.MAP, params=w.map_params(self.communes), name="commander: incident map")

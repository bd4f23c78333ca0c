"""The public side under load: anonymous readers of the pages and feeds, and people (or a
partner system) sending requests.

Run by benchmarks/load/public_run.py (locust headless, fixed users, fixed duration, 127.0.0.1
only). Needs in the environment:

- LOAD_PUBLIC: the JSON written by public_prepare.py (warning ids, request ids, api_key, points);
- LOAD_ACKS: a file to append one JSON line per submission the server acknowledged, with its
  tracking code, its request id (Open311) and the X-Request-ID the server gave it;
- LOAD_READERS / LOAD_SUBMITTERS: how many of each; LOAD_READER_WAIT / LOAD_SUBMITTER_WAIT:
  think time "min,max" seconds.

Readers go through the home page, the warnings list (searched by trick and commune), a
warning's page, its CAP message, the Atom feed, the transparency page and the Open311 GET
endpoints. Submitters alternate between the web form (GET the form, wait at least the form's
minimum fill time, solve its proof of work as the page's script does, POST with the honeypot
left empty) and Open311 `POST requests.json` with the run's api_key. Every submission carries
a client key (`load-key:<uuid>` in its description) so verify finds duplicates. Nothing is
retried.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import time
import uuid
from html import unescape
from urllib.parse import urlparse

from locust import HttpUser, between, events, task

DATA = json.loads(open(os.environ["LOAD_PUBLIC"], encoding="utf-8").read())  # noqa: SIM115
ACKS = open(os.environ["LOAD_ACKS"], "a", encoding="utf-8", buffering=1)  # noqa: SIM115
TRICKS = ["police_impersonation", "fake_trading", "loan_app", "fake_job", "fake_bank_sms"]
MIN_FILL = float(os.environ.get("LOAD_MIN_FILL_SECONDS", "3"))
TRACKING = re.compile(r'id="tracking-code">\s*([^<\s]+)\s*<')
NOTICE_CODE = re.compile(r":\s*([A-Z0-9-]{6,})\.")


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


class Reader(HttpUser):
    """An anonymous visitor, or a system reading the feeds."""

    fixed_count = int(os.environ.get("LOAD_READERS", 200))
    wait_time = _wait("LOAD_READER_WAIT", "2,10")

    def _warning(self) -> int:
        return random.choice(DATA["warnings"])

    @task(3)
    def home(self):
        self.client.get("/", name="read: home")

    @task(3)
    def warnings_list(self):
        if random.random() < 0.5:
            self.client.get("/warnings/", name="read: warnings list")
        else:
            code = random.choice(DATA["points"])[0]
            self.client.get(
                f"/warnings/?trick={random.choice(TRICKS)}&commune={code}", name="read: warnings search"
            )

    @task(4)
    def warning_page(self):
        self.client.get(f"/warnings/{self._warning()}/", name="read: a warning")

    @task(2)
    def cap(self):
        self.client.get(f"/warnings/{self._warning()}.cap", name="feed: CAP message")

    @task(2)
    def atom(self):
        self.client.get("/warnings/feed.atom", name="feed: Atom")

    @task(2)
    def transparency(self):
        self.client.get("/transparency/", name="read: transparency")

    @task(1)
    def open311_services(self):
        self.client.get("/open311/v2/services.json", name="open311: GET services")

    @task(2)
    def open311_requests(self):
        self.client.get("/open311/v2/requests.json", name="open311: GET requests")

    @task(2)
    def open311_request(self):
        rid = random.choice(DATA["request_ids"])
        self.client.get(f"/open311/v2/requests/{rid}.json", name="open311: GET a request")


def _solve(token: str, bits: int) -> str:
    """The page's script: a nonce whose SHA-256(token ":" nonce) starts with `bits` zero bits."""
    nonce = 0
    while True:
        digest = hashlib.sha256(f"{token}:{nonce}".encode()).digest()
        value = int.from_bytes(digest[:4], "big")
        if value >> (32 - bits) == 0:
            return str(nonce)
        nonce += 1


class Submitter(HttpUser):
    """Someone sending a request through the web form, or a partner system through Open311."""

    fixed_count = int(os.environ.get("LOAD_SUBMITTERS", 20))
    wait_time = _wait("LOAD_SUBMITTER_WAIT", "5,15")

    def _point(self):
        _code, lat, lon = random.choice(DATA["points"])
        # A little off the commune's representative point, still inside it in most cases.
        return lat + random.uniform(-0.001, 0.001), lon + random.uniform(-0.001, 0.001)

    def _service(self) -> str:
        return random.choice(DATA["services"])

    @task
    def open311_post(self):
        key = uuid.uuid4().hex
        lat, lon = self._point()
        service = self._service()
        with self.client.post(
            "/open311/v2/requests.json",
            data={
                "api_key": DATA["api_key"],
                "service_code": service,
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "description": f"Phản ánh thử tải qua Open311. load-key:{key}",
                "attribute[anonymity]": "anonymous",
            },
            name="submit: Open311 POST",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                item = response.json()[0]
                match = NOTICE_CODE.search(item.get("service_notice", ""))
                _ack(
                    "open311",
                    response,
                    key=key,
                    public_id=item["service_request_id"],
                    token=item["token"],
                    code=match.group(1) if match else "",
                )
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task
    def web_form(self):
        form = self.client.get("/requests/", name="submit: GET the form")
        if form.status_code != 200:
            return
        html = form.text
        token = unescape(re.search(r'name="challenge" value="([^"]+)"', html).group(1))
        bits = int(re.search(r'data-bits="(\d+)"', html).group(1))
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        started = time.monotonic()
        nonce = _solve(token, bits)
        key = uuid.uuid4().hex
        lat, lon = self._point()
        # A person takes longer than the form's minimum fill time; wait at least that.
        time.sleep(max(0.0, MIN_FILL + 0.5 - (time.monotonic() - started)))
        with self.client.post(
            "/requests/",
            data={
                "csrfmiddlewaretoken": csrf,
                "service": self._service(),
                "description": f"Phản ánh thử tải qua biểu mẫu. load-key:{key}",
                "commune": "",
                "address": "",
                "lat": f"{lat:.6f}",
                "lon": f"{lon:.6f}",
                "anonymity": "anonymous",
                "website": "",  # the honeypot, left empty as a person leaves it
                "challenge": token,
                "nonce": nonce,
                "answer": "",
            },
            headers={"Referer": self.host + "/requests/"},
            name="submit: web form POST",
            catch_response=True,
        ) as response:
            match = TRACKING.search(response.text or "") if response.status_code in (200, 201) else None
            if match:
                _ack("web", response, key=key, code=match.group(1))
                response.success()
            else:
                response.failure(f"{response.status_code}: no tracking code in the answer")

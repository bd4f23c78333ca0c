"""After a public load run: is every acknowledged submission in the database exactly once,
routed to a unit's queue, with exactly one audit row?

    python benchmarks/load/public_verify.py --acks WORKDIR/acks.jsonl --out WORKDIR/verify.json

Reads the database of DATABASE_URL (or ANNINH_SQLITE_PATH). For each submission the load
generator saw acknowledged (web form: the page with the tracking code; Open311: 201 with the
request id and token):

- exactly one request carries its client key (`load-key:<uuid>` in the description): present,
  not duplicated;
- its tracking code opens exactly that request (the code is kept only as a hash), and for
  Open311 the acknowledged service_request_id and token are that request's;
- it waits in a queue: a handling unit that is in force, an open status, a due date; and it is
  counted once in that unit's open queue (the staff queue's filter: unit, open statuses);
- exactly one audit `create` row for it, carrying the X-Request-ID of the acknowledged answer.

Also counts the submissions the server committed without the client getting an acknowledgement
(a client key in the database that no acknowledgement names), and runs the audit chain
verification. Prints a JSON summary; exit 1 if anything acknowledged is missing, duplicated,
unrouted or not audited exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")

KEY = re.compile(r"load-key:([0-9a-f]{32})")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--acks", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    import django

    django.setup()
    from anninh.audit.models import AuditEvent
    from anninh.audit.services import audit_chain_verify
    from anninh.org.models import Unit
    from anninh.requests.models import ServiceRequest
    from anninh.requests.selectors import OPEN_STATUSES
    from anninh.requests.services import tracking_hash

    acks = [
        json.loads(line) for line in Path(args.acks).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    by_kind = Counter(a["kind"] for a in acks)
    requests = ServiceRequest.objects.unrestricted()
    rows = list(
        requests.filter(description__contains="load-key:").values(
            "pk", "public_id", "token", "tracking_hash", "description", "unit_id", "status", "due_on"
        )
    )
    by_key: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        match = KEY.search(row["description"])
        if match:
            by_key[match.group(1)].append(row)
    by_hash = Counter(requests.filter(tracking_hash__in=[r["tracking_hash"] for r in rows]).values_list(
        "tracking_hash", flat=True
    ))  # fmt: skip
    units_in_force = set(Unit.objects.active().values_list("pk", flat=True))
    queue_counts = Counter(
        requests.filter(pk__in=[r["pk"] for r in rows], status__in=OPEN_STATUSES).values_list("pk", flat=True)
    )
    audit: dict[str, list[str]] = defaultdict(list)
    for oid, rid in (
        AuditEvent.objects.unrestricted()
        .filter(
            action="create", object_type="requests.servicerequest", object_id__in=[str(r["pk"]) for r in rows]
        )
        .values_list("object_id", "request_id")
    ):
        audit[oid].append(str(rid))

    problems: list[str] = []
    routed: Counter = Counter()
    for a in acks:
        found = by_key.get(a["key"], [])
        label = f"{a['kind']} {a.get('public_id') or a['key'][:8]}"
        if len(found) != 1:
            problems.append(f"{label}: {len(found)} requests with its client key")
            continue
        row = found[0]
        code = a.get("code", "")
        if a["kind"] == "web" or code:
            digest = tracking_hash(code)
            if digest != row["tracking_hash"] or by_hash[digest] != 1:
                problems.append(f"{label}: its tracking code does not open exactly this request")
        if a["kind"] == "open311" and (a["public_id"] != row["public_id"] or a["token"] != row["token"]):
            problems.append(f"{label}: acknowledged id/token are not the stored ones")
        if row["unit_id"] not in units_in_force or row["due_on"] is None:
            problems.append(f"{label}: not routed to a unit in force with a due date")
        elif queue_counts[row["pk"]] != 1:
            problems.append(f"{label}: in its unit's open queue {queue_counts[row['pk']]} times")
        else:
            routed[row["unit_id"]] += 1
        n = audit[str(row["pk"])].count(a["request_id"])
        if n != 1 or len(audit[str(row["pk"])]) != 1:
            problems.append(
                f"{label}: {len(audit[str(row['pk'])])} audit rows, {n} with request {a['request_id']}"
            )

    acked_keys = {a["key"] for a in acks}
    unacked = sum(1 for key in by_key if key not in acked_keys)
    duplicates = sum(1 for found in by_key.values() if len(found) > 1)
    chain = audit_chain_verify()
    summary = {
        "acknowledged": dict(by_kind),
        "acknowledged_total": len(acks),
        "missing_or_wrong": len(problems),
        "problems": problems[:50],
        "duplicated_keys": duplicates,
        "committed_unacknowledged": unacked,
        "units_receiving": len(routed),
        "audit_chain_ok": chain.ok,
        "audit_rows_checked": chain.checked,
        "audit_chain_reason": chain.reason,
    }
    Path(args.out).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0 if not problems and not duplicates and chain.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

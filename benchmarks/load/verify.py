"""After a load run: is every acknowledged write in the database exactly once, with exactly one
audit row, and is the audit chain intact?

    python benchmarks/load/verify.py --acks WORKDIR/acks.jsonl --out WORKDIR/verify.json

Reads the database of DATABASE_URL (or ANNINH_SQLITE_PATH). Checks, for each write the load
generator saw acknowledged (2xx):

- a created incident or crime report exists, and exactly one row carries its client key
  (`load-key:<uuid>` in the narrative or summary): no duplicate;
- exactly one audit row of that action for that record carries the request's X-Request-ID;
- an update's version is in the record's timeline exactly once (incidents) and the record is
  at that version or later.

It also counts the writes the server committed without the client getting a 2xx (a worker
killed after the commit, a timeout): they are in the database and audited, so not lost, but the
client does not know it. Then it runs the audit chain verification and the CompStat aggregate
recount. Prints a JSON summary; exit 1 if anything acknowledged is missing or duplicated.
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
    from django.core.management import CommandError, call_command

    from anninh.audit.models import AuditEvent
    from anninh.audit.services import audit_chain_verify
    from anninh.records.models import CrimeReport, Incident, RecordEvent

    acks = [
        json.loads(line) for line in Path(args.acks).read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    by_kind = Counter(a["kind"] for a in acks)

    # Every row the load run made, found by its client key.
    inc_keys: dict[str, list[int]] = defaultdict(list)
    for pk, text in Incident.objects.filter(narrative__contains="load-key:").values_list("pk", "narrative"):
        m = KEY.search(text)
        if m:
            inc_keys[m.group(1)].append(pk)
    rep_keys: dict[str, list[int]] = defaultdict(list)
    for pk, text in CrimeReport.objects.filter(summary__contains="load-key:").values_list("pk", "summary"):
        m = KEY.search(text)
        if m:
            rep_keys[m.group(1)].append(pk)

    # Audit rows of the load accounts' creates and updates, by (type, id, action).
    audit: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for otype, oid, action, rid in AuditEvent.objects.filter(
        actor_username__startswith="load.",
        action__in=["create", "update"],
        object_type__in=["records.incident", "records.crimereport"],
    ).values_list("object_type", "object_id", "action", "request_id"):
        audit[(otype, oid, action)].append(str(rid))
    timeline = Counter(
        RecordEvent.objects.filter(
            object_type="records.incident",
            object_id__in=list({a["id"] for a in acks if a["kind"].startswith("incident")}),
        ).values_list("object_id", "version")
    )
    versions = dict(
        Incident.objects.filter(
            pk__in={a["id"] for a in acks if a["kind"].startswith("incident")}
        ).values_list("pk", "version")
    )
    rversions = dict(
        CrimeReport.objects.filter(
            pk__in={a["id"] for a in acks if a["kind"].startswith("report")}
        ).values_list("pk", "version")
    )

    problems: list[str] = []
    acked_requests: set[str] = set()
    for a in acks:
        rid, pk, kind = a["request_id"], a["id"], a["kind"]
        acked_requests.add(rid)
        otype = "records.incident" if kind.startswith("incident") else "records.crimereport"
        action = "create" if kind.endswith("create") else "update"
        if kind.endswith("create"):
            rows = (inc_keys if otype == "records.incident" else rep_keys).get(a["key"], [])
            if rows != [pk]:
                problems.append(f"{kind} {pk}: rows with its key: {rows}")
        else:
            current = (versions if otype == "records.incident" else rversions).get(pk)
            if current is None or current < a["version"]:
                problems.append(f"{kind} {pk}: version {a['version']} acknowledged, database has {current}")
            if otype == "records.incident" and timeline[(pk, a["version"])] != 1:
                problems.append(
                    f"{kind} {pk}: version {a['version']} {timeline[(pk, a['version'])]} times in the timeline"
                )
        n = audit[(otype, str(pk), action)].count(rid)
        if n != 1:
            problems.append(f"{kind} {pk}: {n} audit rows for request {rid}")

    # Committed, audited, but never acknowledged (the client saw an error or no answer).
    unacked = sum(1 for rids in audit.values() for rid in rids if rid not in acked_requests)
    duplicates = sum(1 for rows in list(inc_keys.values()) + list(rep_keys.values()) if len(rows) > 1)
    chain = audit_chain_verify()
    aggregates_ok = True
    try:
        call_command("compstat_aggregates", stdout=open(os.devnull, "w"))  # noqa: SIM115
    except (CommandError, SystemExit):
        aggregates_ok = False

    summary = {
        "acknowledged": dict(by_kind),
        "acknowledged_total": len(acks),
        "missing_or_wrong": len(problems),
        "problems": problems[:50],
        "duplicated_keys": duplicates,
        "committed_unacknowledged": unacked,
        "audit_chain_ok": chain.ok,
        "audit_rows_checked": chain.checked,
        "audit_chain_reason": chain.reason,
        "compstat_aggregates_ok": aggregates_ok,
    }
    Path(args.out).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    print(json.dumps(summary, indent=1))
    return 0 if not problems and not duplicates and chain.ok and aggregates_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

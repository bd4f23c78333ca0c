"""Anchors: the chain's head written outside the database, signed, so that a log cut short
at the end (and its head rewritten to match), wiped, or rebuilt from scratch is caught.

The chain alone cannot see those: whoever can delete rows and rewrite the one-row head can
leave a shorter chain that verifies. An anchor is one JSON line

    {"at": "...Z", "count": 1234, "last_id": 1234, "last_hash": "…", "sig": "…", "v": 1}

with `sig` = HMAC-SHA256(key, the other fields as canonical JSON), the key from
ANNINH_AUDIT_ANCHOR_KEY (required in production; in development one derived from
SECRET_KEY). `audit_anchor` appends one a day to a file and/or POSTs it to a URL;
`audit_verify --anchor FILE` then checks every line's signature and that the chain still
reaches every anchor: at least as many rows as counted, and the anchored newest row still
there with the same hash (its hash commits to every row before it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from anninh.audit.models import AuditEvent
from anninh.audit.services import VerifyResult

VERSION = 1
SIGNED = ("at", "count", "last_hash", "last_id", "v")


class AnchorError(Exception):
    """An anchor cannot be made, read or trusted; the message says why."""


def anchor_key() -> bytes:
    key = getattr(settings, "AUDIT_ANCHOR_KEY", "")
    if key:
        return key.encode("utf-8")
    if getattr(settings, "PRODUCTION", False):
        raise AnchorError(
            "ANNINH_AUDIT_ANCHOR_KEY is not set: production refuses to sign or check anchors without it."
        )
    return hmac.new(settings.SECRET_KEY.encode("utf-8"), b"anninh.audit.anchor", hashlib.sha256).digest()


def _signature(fields: dict[str, Any], key: bytes) -> str:
    text = json.dumps({k: fields.get(k) for k in SIGNED}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def anchor_make(result: VerifyResult, *, at: dt.datetime | None = None) -> dict[str, Any]:
    """The signed anchor of a verified chain."""
    when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    fields: dict[str, Any] = {
        "v": VERSION,
        "at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "count": result.checked,
        "last_id": result.last_id,
        "last_hash": result.last_hash,
    }
    fields["sig"] = _signature(fields, anchor_key())
    return fields


def anchor_line(anchor: dict[str, Any]) -> str:
    return json.dumps(anchor, sort_keys=True, separators=(",", ":"))


def _well_formed(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and data.get("v") == VERSION
        and isinstance(data.get("at"), str)
        and isinstance(data.get("count"), int)
        and not isinstance(data.get("count"), bool)
        and data["count"] >= 0
        and (data.get("last_id") is None or isinstance(data.get("last_id"), int))
        and isinstance(data.get("last_hash"), str)
        and isinstance(data.get("sig"), str)
    )


def anchors_read(path: str | Path) -> list[dict[str, Any]]:
    """Every anchor of the file, each checked for its signature. AnchorError names the first
    line that is not a well-formed anchor or whose signature is wrong, or a file with none."""
    key = anchor_key()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise AnchorError(f"no anchor to check: cannot read {path} ({exc.strerror or exc}).") from exc
    anchors = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except ValueError:
            data = None
        if not _well_formed(data):
            raise AnchorError(f"{path} line {number} is not an anchor.")
        if not hmac.compare_digest(data["sig"], _signature(data, key)):
            raise AnchorError(
                f"{path} line {number} (anchored {data['at']}): the signature is wrong: "
                "the line was changed, or signed with another key."
            )
        anchors.append(data)
    if not anchors:
        raise AnchorError(f"no anchor to check: {path} holds none.")
    return anchors


@dataclass(frozen=True)
class AnchorProblem:
    anchor: dict[str, Any]
    reason: str


def anchors_check(anchors: list[dict[str, Any]], result: VerifyResult) -> AnchorProblem | None:
    """The first anchor the verified chain (`result`, ok) no longer reaches, with why."""
    ids = {a["last_id"] for a in anchors if a["last_id"] is not None}
    hashes: dict[int, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        hashes.update(AuditEvent.objects.unrestricted().filter(id__in=chunk).values_list("id", "hash"))
    for a in anchors:
        if result.checked < a["count"]:
            return AnchorProblem(
                a,
                f"The log holds {result.checked} rows but the anchor of {a['at']} counted "
                f"{a['count']}: rows were removed and the chain head rewritten.",
            )
        if a["last_id"] is None:
            continue
        stored = hashes.get(a["last_id"])
        if stored is None:
            return AnchorProblem(
                a,
                f"Row {a['last_id']}, the newest row when anchored on {a['at']}, is missing: "
                "the log was wiped or rebuilt.",
            )
        if stored != a["last_hash"]:
            return AnchorProblem(
                a,
                f"Row {a['last_id']} no longer has the hash anchored on {a['at']}: the log was rewritten.",
            )
    return None

"""Anchor the audit chain outside the database: verify it, then append its head (row count,
newest row, its hash, the time), signed with ANNINH_AUDIT_ANCHOR_KEY, as one JSON line to a
file and/or POST it to a URL. Run it once a day (a systemd timer; see README).

    ./dev manage audit_anchor --file /var/lib/anninh-anchors/audit-anchors.jsonl
    ./dev manage audit_anchor --url https://archive.example/anchors

Exits 1 without anchoring when the chain is broken (an anchor vouches for an intact chain),
when the key is missing in production, or when the file or the URL refuses the line.
`audit_verify --anchor FILE` checks the log against the anchors.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from anninh.audit.anchor import AnchorError, anchor_key, anchor_line, anchor_make
from anninh.audit.services import audit_chain_verify


class Command(BaseCommand):
    requires_system_checks: list = []
    help = "Append the audit chain's head, signed, to a file or POST it to a URL outside the database."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="Append the anchor to this file (JSON lines).")
        parser.add_argument("--url", help="POST the anchor (application/json) to this URL.")
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for the URL.")

    def handle(self, *args, file: str | None, url: str | None, timeout: float, **options):
        if not file and not url:
            raise CommandError("Say where the anchor goes: --file PATH and/or --url URL.")
        if url and not url.startswith(("https://", "http://")):
            raise CommandError("--url must be an http(s) URL.")
        try:
            anchor_key()
        except AnchorError as exc:
            raise CommandError(str(exc)) from exc
        result = audit_chain_verify()
        if not result.ok:
            where = f"row {result.first_bad_id}" if result.first_bad_id is not None else "the chain head"
            raise CommandError(
                f"Audit chain BROKEN at {where} ({result.code}): {result.reason} Not anchored."
            )
        line = anchor_line(anchor_make(result))
        if file:
            try:
                with open(file, "a", encoding="utf-8") as out:
                    out.write(line + "\n")
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as exc:
                raise CommandError(f"Cannot append the anchor to {file}: {exc}") from exc
        if url:
            request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
                url, data=line.encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                    status = response.status
            except (urllib.error.URLError, OSError) as exc:
                raise CommandError(f"Cannot POST the anchor to {url}: {exc}") from exc
            if not 200 <= status < 300:
                raise CommandError(f"{url} answered {status} to the anchor.")
        self.stdout.write(line)

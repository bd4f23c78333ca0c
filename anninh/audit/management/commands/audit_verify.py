"""Verify the audit chain: every row's hash, every link, and the chain head.

    ./dev manage audit_verify [--batch-size N] [--no-progress] [--anchor FILE]

Exits 0 when the chain is intact, 1 (with the first bad row named) when it is not. Read
only: it writes nothing, so it can run on a replica or a restored backup. Shows a progress
bar when run on a terminal.

With --anchor FILE (the lines `audit_anchor` appends), it also exits 1 when a line's
signature is wrong (ANNINH_AUDIT_ANCHOR_KEY) or when the chain no longer reaches an anchor:
fewer rows than anchored, or the anchored newest row gone or with another hash. That catches
what the chain alone cannot: rows removed at the end with the head rewritten, a wiped log, a
rebuilt one.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anninh.audit.anchor import AnchorError, anchors_check, anchors_read
from anninh.audit.services import VERIFY_BATCH, audit_chain_verify, chain_head


class Command(BaseCommand):
    # A verifier must run even where other parts are misconfigured (a restored backup).
    requires_system_checks: list = []
    help = "Verify the hash chain of the audit log; exit 1 naming the first bad row if it is broken."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=VERIFY_BATCH, help="Rows read per query.")
        parser.add_argument("--no-progress", action="store_true", help="Never show a progress bar.")
        parser.add_argument(
            "--anchor",
            metavar="FILE",
            help="Also check the chain against the anchors in FILE (audit_anchor).",
        )

    def handle(self, *args, batch_size: int, no_progress: bool, anchor: str | None = None, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        anchors = None
        if anchor:
            try:
                anchors = anchors_read(anchor)
            except AnchorError as exc:
                raise CommandError(f"Audit anchors REFUSED: {exc}") from exc
        bar = None
        if not no_progress and self.stderr.isatty():
            from tqdm import tqdm

            head = chain_head() or {}
            bar = tqdm(
                total=head.get("count") or None,
                unit="rows",
                unit_scale=True,
                desc="audit chain",
                file=self.stderr._out,
                leave=False,
            )
        try:
            result = audit_chain_verify(batch_size=batch_size, progress=bar.update if bar else None)
        finally:
            if bar is not None:
                bar.close()
        if not result.ok:
            where = f"row {result.first_bad_id}" if result.first_bad_id is not None else "the chain head"
            raise CommandError(
                f"Audit chain BROKEN at {where} ({result.code}): {result.reason} "
                f"{result.checked} rows verified before it."
            )
        anchored = ""
        if anchors is not None:
            problem = anchors_check(anchors, result)
            if problem is not None:
                raise CommandError(f"Audit chain does NOT reach its anchor: {problem.reason}")
            newest = anchors[-1]
            anchored = (
                f" It reaches all {len(anchors)} anchors in {anchor}"
                if len(anchors) > 1
                else f" It reaches the 1 anchor in {anchor}"
            ) + f" (newest {newest['at']}, {newest['count']} rows)."
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} rows verified; newest row "
                f"{result.last_id if result.last_id is not None else '-'}, hash {result.last_hash}.{anchored}"
            )
        )

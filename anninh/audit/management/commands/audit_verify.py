"""Verify the audit chain: every row's hash, every link, and the chain head.

    ./dev manage audit_verify [--batch-size N] [--no-progress]

Exits 0 when the chain is intact, 1 (with the first bad row named) when it is not. Read
only: it writes nothing, so it can run on a replica or a restored backup. Shows a progress
bar when run on a terminal.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anninh.audit.services import VERIFY_BATCH, audit_chain_verify, chain_head


class Command(BaseCommand):
    # A verifier must run even where other parts are misconfigured (a restored backup).
    requires_system_checks: list = []
    help = "Verify the hash chain of the audit log; exit 1 naming the first bad row if it is broken."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=VERIFY_BATCH, help="Rows read per query.")
        parser.add_argument("--no-progress", action="store_true", help="Never show a progress bar.")

    def handle(self, *args, batch_size: int, no_progress: bool, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {result.checked} rows verified; newest row "
                f"{result.last_id if result.last_id is not None else '-'}, hash {result.last_hash}."
            )
        )

"""Import material into an investigation: dry run, all-or-nothing commit, idempotent.

    manage.py investigation_import CODE KIND FILE [--bank VCB --account 0011...] [--mapping m.json]
                                   [--dry-run] [--as USERNAME] [--analyse [--spark]]

KIND: complaints, bank_statement, calls, crypto, subscribers, account_holders, companies.
Every bad row is listed (row, column, value, reason) and nothing is written while any row is bad.
The same service as the import page (anninh.investigations.ingest), with a progress bar. Without
--as the import is the system's (whoever runs manage.py already holds the database); with --as,
that user must be on the investigation's team. --analyse then resolves and analyses the
investigation as `investigation_analyse` does (--spark: on Apache Spark).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from anninh.investigations.ingest import material_import
from anninh.investigations.models import ImportKind, Investigation
from anninh.records.services.io_formats import declared_rows


class Command(BaseCommand):
    help = "Import a file into an investigation (see anninh.investigations.ingest)."
    # An import starts in about a second: no system checks (they load every URL, view and API,
    # with the graph and resolution libraries behind them), and the analysis only with --analyse.
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("investigation", help="The investigation's code.")
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", type=Path, help='JSON file {"field": "the file\'s header"}.')
        parser.add_argument("--bank", default="", help="The statement's bank (code, BIN or name).")
        parser.add_argument("--account", default="", help="The statement's own account number.")
        parser.add_argument("--holder", default="", help="The statement account's holder.")
        parser.add_argument("--chain", default="", help="The chain of crypto records without a chain column.")
        parser.add_argument(
            "--currency", default="", help="The currency of a statement without a currency column."
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row; write nothing.")
        parser.add_argument("--as", dest="as_user", help="Import as this user (a member of the team).")
        parser.add_argument("--language", default=None)
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--show", type=int, default=200, help="Problems to print (all: 0).")
        parser.add_argument(
            "--analyse", action="store_true", help="Then resolve and analyse the investigation."
        )
        parser.add_argument(
            "--spark",
            action="store_true",
            help="With --analyse: resolution and connected components on Apache Spark.",
        )

    def handle(self, *args, **o):
        if o["language"]:
            translation.activate(o["language"])
        if o["spark"] and not o["analyse"]:
            raise CommandError("--spark goes with --analyse")
        file: Path = o["file"]
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        inv = Investigation.objects.unrestricted().filter(code=o["investigation"]).first()
        if inv is None:
            raise CommandError(f"no investigation {o['investigation']!r}")
        actor = None
        if o["as_user"]:
            actor = get_user_model().objects.filter(username=o["as_user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {o['as_user']!r}")
        mapping = None
        if o["mapping"]:
            try:
                mapping = json.loads(o["mapping"].read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise CommandError(f"mapping: {exc}") from None
        bar = None
        if not o["no_progress"]:
            bar = tqdm(
                total=declared_rows(file),
                unit="rows",
                desc="check" if o["dry_run"] else "import",
                file=self.stderr._out,
                dynamic_ncols=True,
            )
        try:
            result = material_import(
                actor=actor,
                investigation=inv,
                kind=o["kind"],
                path=file,
                mapping=mapping,
                bank=o["bank"],
                account=o["account"],
                holder=o["holder"],
                chain=o["chain"],
                currency=o["currency"],
                dry_run=o["dry_run"],
                progress=bar.update if bar is not None else None,
            )
        except PermissionDenied:
            raise CommandError(f"{o['as_user']} is not on the team of {inv.code}") from None
        finally:
            if bar is not None:
                bar.close()
        shown = result.problems if not o["show"] else result.problems[: o["show"]]
        for p in shown:
            self.stderr.write(f"{p.row or '-'}\t{p.column}\t{p.value}\t{p.message}")
        if result.already_imported:
            self.stdout.write("already imported: nothing added")
            return
        summary = f"rows {result.rows}, new entities {result.entities_new}, new links {result.links_new}"
        if not result.ok:
            raise CommandError(f"{result.problem_count} problems; nothing imported ({summary})")
        self.stdout.write(("dry run: " if o["dry_run"] else "imported: ") + summary)
        if o["analyse"] and not o["dry_run"]:
            from anninh.investigations.management.commands.investigation_analyse import analyse

            analyse(self, inv, actor, method="proportional", spark=o["spark"])

"""Import incidents from a CSV or XLSX file: dry run, all-or-nothing commit, idempotent.

    manage.py import_incidents FILE --unit CA11311 [--mapping map.json] [--dry-run] [--as USERNAME]

Every bad row is listed (row, column, value, reason) and nothing is written while any row is
bad. The same service as the import page and its background jobs
(anninh.records.services.io_import), with a progress bar (of the file's rows when it says how
many it holds). No cap on rows unless --max-rows; the check stops after
ANNINH_IMPORT_MAX_PROBLEMS problems (--max-problems). Without --as the import is made by the inactive `system` account, for any unit; with
--as, for the units that user acts for, as on the import page.
"""

from __future__ import annotations

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from anninh.org.models import Unit
from anninh.records.services import io as services
from anninh.records.versioning import RecordError


class Command(BaseCommand):
    help = "Import incidents from a CSV or XLSX file (see anninh.records.services.io_import)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--unit", required=True, help="Code of the unit importing (e.g. CA11311, PC02).")
        parser.add_argument(
            "--mapping", type=Path, help='JSON file {"source column": "field"}; default: our export format.'
        )
        parser.add_argument("--dry-run", action="store_true", help="Check every row; write nothing.")
        parser.add_argument("--as", dest="as_user", help="Import as this user (their units and permissions).")
        parser.add_argument(
            "--language", default=None, help="Language of the messages (vi or en; default: the site's)."
        )
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--show", type=int, default=200, help="Problems to print (all: 0).")
        parser.add_argument(
            "--max-rows",
            type=int,
            default=0,
            help="Refuse a file of more rows than this (default 0: no cap).",
        )
        parser.add_argument(
            "--max-problems",
            type=int,
            default=None,
            help="Stop checking after this many problems (default: ANNINH_IMPORT_MAX_PROBLEMS, 1000).",
        )

    def handle(
        self,
        *args,
        file: Path,
        unit: str,
        mapping: Path | None,
        dry_run: bool,
        as_user: str | None,
        language: str | None,
        no_progress: bool,
        show: int,
        max_rows: int,
        max_problems: int | None,
        **options,
    ):
        if language:
            translation.activate(language)
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        target = Unit.objects.active().filter(code=unit).first()
        if target is None:
            raise CommandError(f"unknown or inactive unit {unit!r}")
        if as_user:
            actor = get_user_model().objects.filter(username=as_user, is_active=True).first()
            if actor is None:
                raise CommandError(f"no active user {as_user!r}")
            system = False
        else:
            actor, system = services.system_user(), True
        try:
            parsed = services.parse_mapping(mapping.read_bytes()) if mapping else None
        except services.FileProblem as exc:
            raise CommandError(exc.problem.message) from None
        except OSError as exc:
            raise CommandError(str(exc)) from None

        bar = None
        if not no_progress:
            bar = tqdm(
                unit="rows", desc="check" if dry_run else "import", file=self.stderr._out, dynamic_ncols=True
            )
        started_at = time.perf_counter()
        try:
            result = services.incidents_import(
                actor=actor,
                unit=target,
                path=file,
                mapping=parsed,
                dry_run=dry_run,
                system=system,
                progress=bar.update if bar is not None else None,
                started=(lambda total: setattr(bar, "total", total) or bar.refresh())
                if bar is not None
                else None,
                via="command",
                max_rows=max_rows,
                max_problems=max_problems,
            )
        except RecordError as exc:
            raise CommandError(exc.message) from None
        finally:
            if bar is not None:
                bar.close()

        for item in result.file_problems:
            self.stderr.write(f"{item.row or '-'}\t{item.column}\t{item.message}")
        listed = result.problems if show == 0 else result.problems[:show]
        if listed:
            self.stdout.write("row\tcolumn\tvalue\tproblem")
        for item in listed:
            self.stdout.write(f"{item.row}\t{item.column}\t{item.value}\t{item.message}")
        if len(listed) < len(result.problems):
            self.stdout.write(
                f"... {len(result.problems) - len(listed)} more problems (--show 0 lists them all)"
            )
        summary = (
            f"{result.file_name} ({result.format or '?'}, sha256 {result.sha256[:12]}…): {result.rows} rows, "
            f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged"
        )
        if not result.ok:
            raise CommandError(
                f"{summary}; {result.bad_rows} bad rows, {len(result.file_problems)} file problems: nothing written"
            )
        if options.get("verbosity", 1) >= 1:
            # Which path did the work (anninh.records.services.io_copy): for benchmarks and logs.
            reason = f" ({result.fallback})" if result.fallback else ""
            self.stdout.write(f"import path: {result.path}{reason}")
        if options.get("verbosity", 1) >= 2:
            for step, seconds in result.timings.items():
                self.stdout.write(f"  {step}: {seconds:.2f} s")
            self.stdout.write(
                f"  the whole import (commit included): {time.perf_counter() - started_at:.2f} s"
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(f"dry run, nothing written: {summary}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"imported as batch #{result.batch.pk}: {summary}"))

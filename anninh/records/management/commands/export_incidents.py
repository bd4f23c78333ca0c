"""Export the incidents a user may see, filtered like the incident list, to CSV, XLSX or GeoJSON.

    manage.py export_incidents --format csv --as analyst [--filter commune=11311 --filter date_from=01/07/2025] [-o FILE]

The export is scoped to the user (--as) and audited exactly as on the page.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from tqdm import tqdm

from anninh.records.services import io as services
from anninh.records.views.io import EXPORT_ROLES, FilterError, export_filters


class Command(BaseCommand):
    help = "Export incidents (scoped to --as, audited) as CSV, XLSX or GeoJSON."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=services.EXPORT_FORMATS, default="csv")
        parser.add_argument("--as", dest="as_user", required=True, help="Export what this user may see.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A filter of the incident list: q, kind, offence_group, article, commune, unit, date_from, date_to, review_status.",
        )
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: standard output).")
        parser.add_argument("--language", default=None)
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        format: str,
        as_user: str,
        filter: list[str],
        output: Path | None,
        language: str | None,
        no_progress: bool,
        **options,
    ):
        if language:
            translation.activate(language)
        viewer = get_user_model().objects.filter(username=as_user, is_active=True).first()
        if viewer is None:
            raise CommandError(f"no active user {as_user!r}")
        if not viewer.has_role(*EXPORT_ROLES):
            raise CommandError(f"{as_user} does not read incidents")
        params: dict[str, str] = {}
        for item in filter:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--filter {item!r}: write NAME=VALUE")
            params[name.strip()] = value.strip()
        try:
            filters = export_filters(params)
        except FilterError as exc:
            raise CommandError(str(exc)) from None

        try:
            if format == "xlsx":
                handle, rows = services.incidents_export_xlsx(viewer=viewer, filters=filters, via="command")
                with handle, output.open("wb") if output else _stdout_bytes() as out:
                    shutil.copyfileobj(handle, out)
            else:
                export = (
                    services.incidents_export_csv if format == "csv" else services.incidents_export_geojson
                )
                pieces, rows = export(viewer=viewer, filters=filters, via="command")
                bar = (
                    None
                    if no_progress or output is None
                    else tqdm(total=rows, unit="rows", file=self.stderr._out)
                )
                with output.open("w", encoding="utf-8", newline="") if output else _stdout_text() as out:
                    for i, piece in enumerate(pieces):
                        out.write(piece)
                        if bar is not None and i >= 2:
                            bar.update(1)
                if bar is not None:
                    bar.close()
        except services.ExportTooLarge as exc:
            raise CommandError(exc.message) from None
        if output:
            self.stderr.write(f"{rows} incidents written to {output}")


class _NoClose:
    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return self.stream

    def __exit__(self, *exc):
        self.stream.flush()


def _stdout_bytes():
    return _NoClose(sys.stdout.buffer)


def _stdout_text():
    return _NoClose(sys.stdout)

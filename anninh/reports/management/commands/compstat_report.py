"""Make a CompStat report: ./dev manage compstat_report --week 2026-W47 --pdf FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from anninh.reports.models import ReportKind, ReportSource
from anninh.reports.services import SYSTEM, ReportError, report_generate, report_period


class Command(BaseCommand):
    help = "Make (or fetch) the weekly or monthly CompStat report and write it as PDF and/or HTML."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--week", help="ISO week, e.g. 2026-W47")
        which.add_argument("--month", help="month, e.g. 2026-10")
        parser.add_argument("--pdf", type=Path, help="write the PDF to this file")
        parser.add_argument("--html", type=Path, help="write the HTML to this file")
        parser.add_argument("--lang", default="vi", choices=["vi", "en"], help="language (default vi)")
        parser.add_argument("--commune", default="", help="NSO code of one commune (default: the city)")
        parser.add_argument("--replace", action="store_true", help="make it again from today's records")

    def handle(self, *args, **options):
        kind = ReportKind.WEEK if options["week"] else ReportKind.MONTH
        try:
            period = report_period(kind, options["week"] or options["month"])
            report, created = report_generate(
                actor=SYSTEM,
                kind=kind,
                period=period,
                language=options["lang"],
                commune=options["commune"],
                source=ReportSource.COMMAND,
                replace=options["replace"],
            )
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        if options["pdf"]:
            options["pdf"].write_bytes(bytes(report.pdf))
        if options["html"]:
            options["html"].write_text(report.html, encoding="utf-8")
        self.stdout.write(
            f"{'made' if created else 'already stored'}: {report.title} (sha256 {report.digest[:12]})"
        )

"""Make the week's forecasts: ./dev manage hotspots_forecast --week 2026-W48 [--group property] [--shifts] [--report-card]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from anninh.compstat.periods import PeriodError, parse_week
from anninh.hotspots import engine, services
from anninh.hotspots.models import Horizon
from anninh.hotspots.views import current_week


class Command(BaseCommand):
    help = "Make the weekly (and per-shift) hotspot forecasts for a week, and optionally the report card."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="ISO week, e.g. 2026-W48 (default: this week)")
        parser.add_argument(
            "--group", action="append", default=None, help="offence group (repeatable; default every crime)"
        )
        parser.add_argument("--shifts", action="store_true", help="also the per-shift forecasts")
        parser.add_argument("--report-card", action="store_true", help="also backtest the last 12 weeks")

    def handle(self, *args, **options):
        try:
            week = parse_week(options["week"]) if options["week"] else current_week()
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        for group in options["group"] or [""]:
            jobs = [(Horizon.WEEK, "")] + (
                [(Horizon.SHIFT, s) for s in engine.SHIFTS] if options["shifts"] else []
            )
            for horizon, shift in jobs:
                try:
                    fc, created = services.forecast_create(
                        actor=None, week=week, offence_group=group, horizon=horizon, shift=shift
                    )
                except services.ForecastError as exc:
                    raise CommandError(str(exc)) from exc
                self.stdout.write(
                    f"{'made' if created else 'already stored'}: {week.slug} {group or 'all'} {horizon} {shift} "
                    f"({fc.inputs_count} crimes, {fc.model_version})"
                )
            if options["report_card"]:
                card = services.report_card_create(actor=None, offence_group=group, as_of=week.first)
                self.stdout.write(f"report card {group or 'all'}: {card.verdict}")

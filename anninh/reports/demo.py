"""Demo data: a ready-made weekly CompStat report (Vietnamese and English) to open at once.

Made the way the Monday scheduler makes it (report_generate as the system, source "schedule"),
for the last complete week; idempotent, because report_generate returns the stored report."""

from __future__ import annotations

from anninh.reports.models import ReportKind, ReportSource
from anninh.reports.services import SYSTEM, last_complete_week, report_generate


def reports_demo_seed(*, progress=None, today=None) -> dict[str, int]:
    from anninh.compstat.periods import today as local_today

    period = last_complete_week(today or local_today())
    made = 0
    for language in ("vi", "en"):
        if progress:
            progress(f"weekly report {period.slug} ({language})")
        _report, created = report_generate(
            actor=SYSTEM, kind=ReportKind.WEEK, period=period, language=language, source=ReportSource.SCHEDULE
        )
        made += int(created)
    return {"weekly_reports_made": made}

"""Reads of personal data that leave an audit row (issue 14, item 5), beside the detail reads
of `incident_viewed`, `crime_report_viewed` and `person_viewed`.

- `case_viewed`: a case's page or API detail (the case names its incident's people through
  its links and holds the investigation's history).
- `crime_report_list_viewed`: one row per register page (web or API) that showed at least
  one reporter's name, with the ids of every report on the page and of those whose reporter
  was shown, so "who saw this reporter's name, when" is answerable from the trail without a
  row per report. A page that shows no name (an analyst without personal data, anonymous or
  confidential reporters only) writes nothing: there was no personal data to trace.
"""

from __future__ import annotations

from collections.abc import Iterable

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.records.models import Case, CrimeReport
from anninh.records.selectors.reports import reporter_view


def case_viewed(*, actor, case: Case, via: str = "page") -> None:
    """Audit one look at a case (its page or its API detail)."""
    audit_record(actor=actor, action=AuditAction.VIEW, target=case, extra={"via": via})


def crime_report_list_viewed(*, actor, reports: Iterable[CrimeReport], via: str = "page") -> None:
    """Audit one register page that showed reporters' names (nothing if it showed none)."""
    reports = list(reports)
    shown = sorted(r.pk for r in reports if _names_reporter(actor, r))
    if not shown:
        return
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="records.crimereport",
        object_repr="register page",
        extra={"via": via, "list": True, "ids": [r.pk for r in reports], "reporter_shown_ids": shown},
    )


def _names_reporter(viewer, report: CrimeReport) -> bool:
    view = getattr(report, "reporter_shown", None) or reporter_view(viewer, report)
    return view.visible and view.person is not None

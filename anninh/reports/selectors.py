"""Which stored reports a viewer may read: city reports for city-wide roles, a commune's
reports for that commune's officers."""

from __future__ import annotations

from django.db.models import QuerySet

from anninh.reports.models import Report


def report_base(*, viewer) -> QuerySet:
    return Report.objects.restrict(viewer)


def report_list(*, viewer) -> QuerySet:
    return report_base(viewer=viewer).defer("html", "pdf").select_related("generated_by")

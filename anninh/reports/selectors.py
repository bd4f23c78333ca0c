"""Which stored reports a viewer may read: city reports for city-wide roles, a commune's
reports for that commune's officers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from anninh.accounts.scoping import scope_for
from anninh.reports.models import Report
from anninh.reports.services import REPORT_ROLES


def report_base(*, viewer) -> QuerySet:
    if not getattr(viewer, "is_authenticated", False) or not viewer.has_role(*REPORT_ROLES):
        return Report.objects.none()
    scope = scope_for(viewer)
    if scope.city_wide:
        return Report.objects.all()
    return Report.objects.filter(Q(commune_code__in=sorted(scope.commune_codes)) & ~Q(commune_code=""))


def report_list(*, viewer) -> QuerySet:
    return report_base(viewer=viewer).defer("html", "pdf").select_related("generated_by")

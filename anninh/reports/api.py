"""Stored CompStat reports over the API, mounted at /api/reports/: the list the caller may
read (the PDF itself is downloaded from the page, where the read is audited)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.reports import selectors
from anninh.reports.services import REPORT_ROLES

router = Router()


class ReportsQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class ReportsReportOut(Schema):
    id: int
    kind: str
    period: str
    first: dt.date
    last: dt.date
    language: str
    commune: str
    title: str
    digest: str
    generated_at: dt.datetime
    html_url: str
    pdf_url: str


class ReportsReportListOut(Schema):
    count: int
    results: list[ReportsReportOut]


@router.get(
    "",
    response={200: ReportsReportListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="reports_list",
    summary="Stored CompStat reports the caller may read",
)
def list_reports(request: HttpRequest, query: Query[ReportsQuery]):
    auth = getattr(request, "auth", None)
    user = auth if getattr(auth, "is_authenticated", False) else request.user
    if not user.has_role(*REPORT_ROLES):
        audit_denied(user, reason="role", path=request.get_full_path()[:500])
        return Status(403, {"detail": _("You may not do this.")})
    qs = selectors.report_list(viewer=user)
    rows = qs[query.offset : query.offset + query.limit]
    return {
        "count": qs.count(),
        "results": [
            {
                "id": r.pk,
                "kind": r.kind,
                "period": r.slug,
                "first": r.period_first,
                "last": r.period_last,
                "language": r.language,
                "commune": r.commune_code,
                "title": r.title,
                "digest": r.digest,
                "generated_at": r.generated_at,
                "html_url": reverse("reports:detail", args=[r.pk]),
                "pdf_url": reverse("reports:pdf", args=[r.pk]),
            }
            for r in rows
        ],
    }

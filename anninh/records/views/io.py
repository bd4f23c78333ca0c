"""Pages: importing incidents (upload, mapping, dry run, commit) and exporting any filtered
incident list (CSV, XLSX, GeoJSON).

Import, in steps on one page: the officer uploads a CSV or XLSX file for a unit they act
for; the file is kept in a private staging folder under its checksum and checked at once
(a dry run: every bad row with its reason). They may change which column holds which field
and check again; when nothing is wrong, "Import" writes every row in one transaction.

Export: `?format=csv|xlsx|geojson` with the incident list's own filters (its query string),
read through the scoped selector; without a format, the page offers the formats.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role
from anninh.org.models import Unit
from anninh.records.models import ImportBatch, ImportJob
from anninh.records.permissions import acting_unit_ids
from anninh.records.selectors.incidents import IncidentFilters
from anninh.records.services import io as services
from anninh.records.services import io_jobs
from anninh.records.services.io_export import export_file_name, neutralise
from anninh.records.services.io_formats import FileProblem, declared_rows, open_sheet
from anninh.records.services.io_jobs import stage_upload, staged_path
from anninh.records.versioning import RecordError

IMPORT_ROLES = (Role.COMMUNE_OFFICER, Role.INVESTIGATOR)
EXPORT_ROLES = (Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.FIRE_RESCUE)
MAX_UPLOAD = 200 * 1024 * 1024  # bytes; larger files go through `manage.py import_incidents`
SHOWN_PROBLEMS = 500  # on the page; the CSV of problems has them all
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


# Filters: the incident list's own ------------------------------------------------------


class FilterError(ValueError):
    """A filter value the incident list refuses; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(str(e) for e in errors.values()))
        self.errors = errors


def export_filters(params) -> IncidentFilters:
    """The incident list's filters (anninh.records.views.incidents.parse_filters), so an
    export of the list's query string holds exactly the rows the list shows. FilterError
    (with a translated message) for a value the list refuses."""
    from anninh.records.views.incidents import parse_filters

    filters, errors = parse_filters(params)
    if errors:
        raise FilterError(errors)
    return filters


def export_response(viewer, filters: IncidentFilters, fmt: str, *, via: str) -> HttpResponse:
    """The file of `fmt` as an HTTP response (CSV and GeoJSON streamed). Shared with the API."""
    if fmt == "csv":
        lines, _rows = services.incidents_export_csv(viewer=viewer, filters=filters, via=via)
        response = StreamingHttpResponse(lines, content_type=CONTENT_TYPES["csv"])
    elif fmt == "geojson":
        chunks, _rows = services.incidents_export_geojson(viewer=viewer, filters=filters, via=via)
        response = StreamingHttpResponse(chunks, content_type=CONTENT_TYPES["geojson"])
    else:
        handle, _rows = services.incidents_export_xlsx(viewer=viewer, filters=filters, via=via)
        response = FileResponse(handle, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="{export_file_name(fmt)}"'
    response["Cache-Control"] = "no-store"
    return response


@require_roles(*EXPORT_ROLES)
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "")
    try:
        filters = export_filters(request.GET)
    except FilterError as exc:
        return HttpResponseBadRequest(str(exc))
    if not fmt:
        params = request.GET.copy()
        return render(
            request,
            "records/io/export.html",
            {
                "filters": filters.as_params(),
                "querystring": params.urlencode(),
                "formats": services.EXPORT_FORMATS,
                "personal": "persons" in services.export_columns(request.user),
                "active_nav": "incidents",
            },
        )
    if fmt not in services.EXPORT_FORMATS:
        return HttpResponseBadRequest(_("Choose CSV, XLSX or GeoJSON."))
    try:
        return export_response(request.user, filters, fmt, via="page")
    except services.ExportTooLarge as exc:
        return HttpResponseBadRequest(exc.message)


# Import --------------------------------------------------------------------------------


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy(
            "Our export format imports as it is; another system's file needs a column mapping."
        ),
    )
    unit = forms.TypedChoiceField(label=gettext_lazy("For unit"), coerce=int)
    mapping_file = forms.FileField(
        label=gettext_lazy("Column mapping (JSON, optional)"),
        required=False,
        help_text=gettext_lazy(
            '{"source column": "field"}, e.g. {"Mã vụ": "external_id", "Ngày xảy ra": "occurred_from"}'
        ),
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, str(u)) for u in units]
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx,text/csv"
        self.fields["mapping_file"].widget.attrs["accept"] = ".json,application/json"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(
                _("The file is too large for the page: import it with the command line.")
            )
        return upload


def _acting_units(user) -> list[Unit]:
    return list(Unit.objects.filter(pk__in=acting_unit_ids(user)).order_by("kind", "sort_key", "code"))


def _unit_for(request, units: list[Unit], raw) -> Unit:
    """The unit the form names, if the user acts for it; otherwise an audited 403."""
    try:
        unit_id = int(raw)
    except (TypeError, ValueError):
        unit_id = None
    unit = next((u for u in units if u.pk == unit_id), None)
    if unit is None:
        audit_denied(request, reason="unit", object_type="org.unit", object_id=str(raw)[:20])
        raise PermissionDenied(_("You cannot import incidents for this unit."))
    return unit


def _mapping_from_post(post) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for field_name in services.IMPORT_FIELDS:
        column = post.get(f"map_{field_name}", "")
        if column:
            mapping[column] = field_name
    return mapping


def _header(path: Path) -> list[str]:
    try:
        sheet = open_sheet(path)
    except FileProblem:
        return []
    sheet.close()
    return sheet.header


def _result_context(result: services.ImportResult, *, token: str, unit: Unit, header: list[str]) -> dict:
    mapped = {target: source for source, target in result.mapping.items()}
    return {
        "result": result,
        "token": token,
        "unit": unit,
        "problems": result.problems[:SHOWN_PROBLEMS],
        "more_problems": max(len(result.problems) - SHOWN_PROBLEMS, 0),
        "mapping_rows": [
            {"field": name, "label": label, "selected": mapped.get(name, "")}
            for name, label in services.IMPORT_FIELDS.items()
        ],
        "header": header,
    }


def _problems_csv(result: services.ImportResult) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-problems.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([_("Row"), _("Column"), _("Value"), _("Problem")])
    for item in [*result.file_problems, *result.problems]:
        writer.writerow(
            [item.row or "", neutralise(item.column), neutralise(item.value), neutralise(item.message)]
        )
    return response


@require_roles(*IMPORT_ROLES)
@require_http_methods(["GET", "POST"])
def import_incidents(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _acting_units(user)
    context: dict = {"active_nav": "incidents", "fields": services.IMPORT_FIELDS.items()}
    if request.method == "GET" or "action" not in request.POST:
        context["form"] = UploadForm(units=units, initial={"unit": units[0].pk if units else None})
        context["batches"] = ImportBatch.objects.filter(unit__in=units).select_related("unit")[:10]
        return render(request, "records/io/import.html", context)

    action = request.POST["action"]
    mapping: dict[str, str] | None
    if action == "upload":
        form = UploadForm(request.POST, request.FILES, units=units)
        if "unit" in request.POST:
            _unit_for(request, units, request.POST.get("unit"))
        if not form.is_valid():
            context["form"] = form
            return render(request, "records/io/import.html", context, status=400)
        unit = _unit_for(request, units, form.cleaned_data["unit"])
        try:
            raw = form.cleaned_data["mapping_file"].read() if form.cleaned_data["mapping_file"] else None
            mapping = services.parse_mapping(raw)
        except services.FileProblem as exc:
            form.add_error("mapping_file", exc.problem.message)
            context["form"] = form
            return render(request, "records/io/import.html", context, status=400)
        upload = form.cleaned_data["file"]
        token = stage_upload(user, upload)
        file_name = upload.name
    else:
        unit = _unit_for(request, units, request.POST.get("unit"))
        token = request.POST.get("token", "")
        file_name = request.POST.get("file_name", "")[:255]
        mapping = _mapping_from_post(request.POST)
    staged = staged_path(user, token)
    if staged is None:
        messages.error(request, _("The uploaded file is no longer here: upload it again."))
        return redirect("records:import")

    commit = action == "commit"
    if action != "problems":
        total = declared_rows(staged)
        if total is not None and total >= io_jobs.background_from():
            # A large file: a background job, whose progress the officer watches.
            try:
                job = io_jobs.import_job_start(
                    actor=user,
                    unit=unit,
                    token=token,
                    file_name=file_name or staged.name,
                    mapping=mapping,
                    dry_run=not commit,
                    rows_total=total,
                )
            except RecordError as exc:
                audit_denied(request, reason=exc.code)
                raise PermissionDenied(exc.message) from exc
            return redirect("records:import_job", pk=job.pk)
    try:
        result = services.incidents_import(
            actor=user,
            unit=unit,
            path=staged,
            file_name=file_name or staged.name,
            mapping=mapping,
            dry_run=not commit,
            via="page",
            parallel=False,  # no worker process forked from a web server; big files: the command
        )
    except RecordError as exc:
        audit_denied(request, reason=exc.code)
        raise PermissionDenied(exc.message) from exc
    if action == "problems":
        return _problems_csv(result)
    if commit and result.ok:
        staged.unlink(missing_ok=True)
        messages.success(
            request,
            _("Imported %(file)s: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "file": result.file_name,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
        return redirect("records:import")
    context.update(_result_context(result, token=token, unit=unit, header=_header(staged)))
    return render(request, "records/io/import.html", context)


def _own_job(request: HttpRequest, pk: int) -> ImportJob:
    """The job, if the user started it (anyone else: 404, nothing told, the refusal audited:
    an import's problems quote the file's rows)."""
    return get_scoped_or_404(
        ImportJob.objects.select_related("unit", "batch").filter(created_by=request.user), request.user, pk=pk
    )


@require_roles(*IMPORT_ROLES)
@require_GET
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A background import's page: its progress (polled by htmx while it runs), then its
    result as the page shows a check's, with the Import button after a clean dry run."""
    job = _own_job(request, pk)
    done, total = io_jobs.import_job_progress(job)
    context: dict = {
        "active_nav": "incidents",
        "job": job,
        "done": done,
        "total": total,
        "percent": min(100, round(100 * done / total)) if total else None,
        "error": io_jobs.import_job_error(job),
    }
    if job.status == "done":
        result = io_jobs.import_job_result(job)
        context.update(_result_context(result, token=job.token, unit=job.unit, header=[]))
        context["problems_url"] = reverse("records:import_job_problems", kwargs={"pk": job.pk})
    template = "records/io/_job.html" if request.htmx else "records/io/job.html"
    return render(request, template, context)


@require_roles(*IMPORT_ROLES)
@require_GET
def import_job_problems(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return _problems_csv(io_jobs.import_job_result(job))


urlpatterns = [
    path("io/import/", import_incidents, name="import"),
    path("io/import/jobs/<int:pk>/", import_job, name="import_job"),
    path("io/import/jobs/<int:pk>/problems.csv", import_job_problems, name="import_job_problems"),
    path("io/export/", export, name="export"),
]

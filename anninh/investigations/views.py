"""Investigation pages: list, overview with totals, search, entity, review queue and merges.
Every page of an investigation goes through `_open` (role, then team or grant: 404 audited)
and records the read in the audit log."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anninh.accounts.permissions import require_roles
from anninh.investigations import selectors, services
from anninh.investigations.access import (
    APP_ROLES,
    CREATOR_ROLES,
    child_or_404,
    investigation_for,
    is_team_member,
    require_team,
)
from anninh.investigations.models import (
    CandidateStatus,
    Entity,
    EntityKind,
    EntityMerge,
    ImportKind,
    InvestigationKind,
    MatchCandidate,
)


def investigation_page(view):
    """Role check, then the investigation (team or grant, else an audited 404)."""

    @require_roles(*APP_ROLES)
    @wraps(view)
    def wrapped(request: HttpRequest, pk: int, *args, **kwargs) -> HttpResponse:
        inv = investigation_for(request.user, pk, path=request.get_full_path()[:500])
        request.investigation = inv
        request.is_team = is_team_member(request.user, inv)
        return view(request, inv, *args, **kwargs)

    return wrapped


def _ctx(request, inv, **extra) -> dict:
    return {"inv": inv, "is_team": request.is_team, **extra}


@require_GET
@require_roles(*APP_ROLES)
def investigation_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.investigation_list(viewer=request.user))
    return render(
        request,
        "investigations/list.html",
        {"investigations": rows, "may_open": request.user.has_role(*CREATOR_ROLES)},
    )


@require_roles(*CREATOR_ROLES)
def investigation_new(request: HttpRequest) -> HttpResponse:
    """Open an investigation: its creator leads its team."""
    from anninh.lib.dates import InvalidDate, parse_date_vn

    errors: list[str] = []
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        opened_on = None
        try:
            opened_on = parse_date_vn(form.get("opened_on", ""))
        except InvalidDate:
            errors.append(_("Not a date: write dd/mm/yyyy."))
        if request.user.unit_id is None:
            errors.append(_("You belong to no unit: an investigation belongs to its unit."))
        if not errors:
            try:
                inv = services.investigation_create(
                    actor=request.user,
                    code=form.get("code", "")[:40],
                    title=form.get("title", "")[:300],
                    kind=form.get("kind", ""),
                    unit=request.user.unit,
                    opened_on=opened_on,
                    description=form.get("description", ""),
                )
                return redirect(reverse("investigations:detail", args=[inv.pk]))
            except ValidationError as exc:
                errors.extend(exc.messages)
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "investigations/new.html",
        {"errors": errors, "form": form, "kinds": InvestigationKind.choices},
    )


@investigation_page
def team(request: HttpRequest, inv) -> HttpResponse:
    """The team and the grants by name: the team adds members and gives read access."""
    from django.contrib.auth import get_user_model

    if request.method == "POST":
        require_team(request.user, inv, path=request.path)
        user = (
            get_user_model()
            .objects.filter(username=request.POST.get("username", "").strip(), is_active=True)
            .first()
        )
        if user is None:
            messages.error(request, _("No active user with this user name."))
        else:
            try:
                if request.POST.get("action") == "grant":
                    services.access_grant(
                        actor=request.user,
                        investigation=inv,
                        user=user,
                        reason=request.POST.get("reason", ""),
                    )
                else:
                    services.team_member_add(actor=request.user, investigation=inv, user=user)
                messages.success(request, _("Saved."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect(reverse("investigations:team", args=[inv.pk]))
    if request.method != "GET":
        return HttpResponse(status=405)
    services.investigation_read_record(viewer=request.user, investigation=inv, what="team")
    members = list(inv.team.select_related("user", "user__unit").order_by("-is_lead", "user__username"))
    grants = list(inv.grants.select_related("user", "granted_by").order_by("-granted_at"))
    return render(request, "investigations/team.html", _ctx(request, inv, members=members, grants=grants))


@require_GET
@investigation_page
def investigation_detail(request: HttpRequest, inv) -> HttpResponse:
    services.investigation_read_record(viewer=request.user, investigation=inv, what="overview")
    counts = selectors.counts(viewer=request.user, investigation=inv)
    analysis = selectors.latest_analysis(viewer=request.user, investigation=inv)
    province_rows, commune_rows, cash_labels = [], [], {}
    if analysis and "totals" in analysis.results:
        from anninh.investigations.provinces import names

        label = names()
        province_rows = [
            {
                "province": r["province"],
                "label": label.get(r["province"], r["province"] or _("unknown")),
                "victims": r["victims"],
                "lost": r["lost"],
            }
            for r in analysis.results.get("by_province", [])
        ]
        commune_rows = [
            {k: r[k] for k in ("commune", "label", "victims", "paid", "lost")}
            for r in analysis.results.get("by_commune", [])
        ]
        ids = [r["entity"] for r in analysis.results.get("by_cash_out", [])[:50]]
        cash_labels = dict(
            Entity.objects.restrict(request.user)
            .filter(investigation=inv, pk__in=ids)
            .values_list("pk", "key")
        )
    return render(
        request,
        "investigations/detail.html",
        _ctx(
            request,
            inv,
            counts=counts,
            kinds=EntityKind.choices,
            analysis=analysis,
            totals=(analysis.results.get("totals") if analysis else None),
            province_rows=province_rows,
            commune_rows=commune_rows,
            cash_labels=cash_labels,
            batches=list(selectors.batch_list(viewer=request.user, investigation=inv)[:20]),
            reports=list(inv.crime_reports.restrict(request.user)[:50]),
            cases=list(inv.cases.restrict(request.user)[:50]),
        ),
    )


@require_GET
@investigation_page
def investigation_search(request: HttpRequest, inv) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:200]
    kind = request.GET.get("kind") or ""
    if kind not in EntityKind.values:
        kind = ""
    results = []
    if query:
        results = selectors.entity_search(viewer=request.user, investigation=inv, query=query, kind=kind)
        services.investigation_read_record(
            viewer=request.user, investigation=inv, what="search", query=query, kind=kind, hits=len(results)
        )
    return render(
        request,
        "investigations/search.html",
        _ctx(
            request,
            inv,
            query=query,
            kind=kind,
            kinds=EntityKind.choices,
            results=results,
            limit=selectors.SEARCH_LIMIT,
        ),
    )


@require_GET
@investigation_page
def entity_detail(request: HttpRequest, inv, eid: int) -> HttpResponse:
    entity = child_or_404(Entity.objects, request.user, inv, eid, path=request.get_full_path()[:500])
    services.investigation_read_record(
        viewer=request.user, investigation=inv, what="entity", entity=entity.pk
    )
    detail = selectors.entity_detail(viewer=request.user, entity=entity)
    return render(request, "investigations/entity.html", _ctx(request, inv, entity=entity, **detail))


@investigation_page
def review_queue(request: HttpRequest, inv) -> HttpResponse:
    """The possible identities resolution was unsure of: confirm (merge) or reject each."""
    if request.method == "POST":
        require_team(request.user, inv, path=request.get_full_path()[:500])
        candidate = child_or_404(
            MatchCandidate.objects, request.user, inv, request.POST.get("candidate"), path=request.path
        )
        decision = request.POST.get("decision")
        if decision not in ("confirm", "reject"):
            messages.error(request, _("Choose confirm or reject."))
        else:
            try:
                services.candidate_decide(
                    actor=request.user, candidate=candidate, confirm=decision == "confirm"
                )
                messages.success(request, _("Decision recorded."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        return redirect(reverse("investigations:review", args=[inv.pk]))
    if request.method != "GET":
        return HttpResponse(status=405)
    status = request.GET.get("status") or CandidateStatus.PENDING
    if status not in CandidateStatus.values:
        status = CandidateStatus.PENDING
    services.investigation_read_record(viewer=request.user, investigation=inv, what="review")
    page = Paginator(
        selectors.review_queue(viewer=request.user, investigation=inv, status=status), 50
    ).get_page(request.GET.get("page"))
    merges = list(selectors.merge_list(viewer=request.user, investigation=inv)[:50])
    return render(
        request,
        "investigations/review.html",
        _ctx(request, inv, page=page, status=status, statuses=CandidateStatus.choices, merges=merges),
    )


@require_POST
@investigation_page
def merge_undo(request: HttpRequest, inv, mid: int) -> HttpResponse:
    require_team(request.user, inv, path=request.path)
    merge = child_or_404(EntityMerge.objects, request.user, inv, mid, path=request.path)
    try:
        services.merge_undo(actor=request.user, merge=merge)
        messages.success(request, _("The merge was undone."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("investigations:review", args=[inv.pk]))


@investigation_page
def material_upload(request: HttpRequest, inv) -> HttpResponse:
    """Import a file: a dry run first (every bad row by number), then the import itself."""
    import json
    import tempfile
    from pathlib import Path

    from anninh.investigations.ingest import material_import

    result = None
    errors: list[str] = []
    if request.method == "POST":
        require_team(request.user, inv, path=request.path)
        upload = request.FILES.get("file")
        kind = request.POST.get("kind", "")
        mapping = None
        if (request.POST.get("mapping") or "").strip():
            try:
                mapping = json.loads(request.POST["mapping"])
                if not isinstance(mapping, dict):
                    raise ValueError
            except ValueError:
                errors.append(_('The column mapping is JSON: {"field": "the file\'s header"}.'))
        if kind not in ImportKind.values:
            errors.append(_("Choose what the file holds."))
        if upload is None:
            errors.append(_("Choose a file (CSV or XLSX)."))
        if not errors:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "upload"
                with open(path, "wb") as fh:
                    for chunk in upload.chunks():
                        fh.write(chunk)
                result = material_import(
                    actor=request.user,
                    investigation=inv,
                    kind=kind,
                    path=path,
                    file_name=upload.name,
                    mapping=mapping,
                    bank=request.POST.get("bank", "").strip(),
                    account=request.POST.get("account", "").strip(),
                    holder=request.POST.get("holder", "").strip(),
                    chain=request.POST.get("chain", "").strip(),
                    dry_run=request.POST.get("commit") != "1",
                )
    elif request.method != "GET":
        return HttpResponse(status=405)
    return render(
        request,
        "investigations/import.html",
        _ctx(request, inv, kinds=ImportKind.choices, result=result, errors=errors, form=request.POST),
    )


@require_POST
@investigation_page
def analyse(request: HttpRequest, inv) -> HttpResponse:
    """Resolve the people, then analyse the network (rings, roles, tracing, totals)."""
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.resolution import resolution_run

    require_team(request.user, inv, path=request.path)
    method = request.POST.get("method", "proportional")
    if method not in ("proportional", "fifo"):
        method = "proportional"
    counts = resolution_run(actor=request.user, investigation=inv)
    analysis_run(actor=request.user, investigation=inv, method=method)
    messages.success(
        request,
        _("Analysis done: %(merged)d records merged, %(queued)d pairs to review, %(leads)d leads.") % counts,
    )
    return redirect(reverse("investigations:detail", args=[inv.pk]))


EXPORTS = {
    "ftm": ("application/x-ndjson", "ftm.jsonl"),
    "gexf": ("application/xml", "gexf"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


@require_GET
@investigation_page
def export(request: HttpRequest, inv, fmt: str) -> HttpResponse:
    """The investigation's network as FtM JSON lines, GEXF, CSV or XLSX (team only, audited)."""
    from django.http import Http404, StreamingHttpResponse

    from anninh.investigations import exports

    if fmt not in EXPORTS:
        raise Http404
    require_team(request.user, inv, path=request.path)
    services.investigation_read_record(viewer=request.user, investigation=inv, what="export", format=fmt)
    content_type, ext = EXPORTS[fmt]
    if fmt == "xlsx":
        response = HttpResponse(exports.xlsx_bytes(request.user, inv), content_type=content_type)
    else:
        chunks = {
            "ftm": lambda: (line + "\n" for line in exports.ftm_lines(request.user, inv)),
            "gexf": lambda: exports.gexf_chunks(request.user, inv),
            "csv": lambda: exports.csv_chunks(request.user, inv),
        }[fmt]()
        response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{inv.code}.{ext}"'
    return response


@require_GET
@investigation_page
def summary_pdf(request: HttpRequest, inv) -> HttpResponse:
    """The case summary with the same totals as the pages, as a PDF (team only, audited)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from anninh.investigations.provinces import names

    require_team(request.user, inv, path=request.path)
    services.investigation_read_record(viewer=request.user, investigation=inv, what="export", format="pdf")
    analysis = selectors.latest_analysis(viewer=request.user, investigation=inv)
    results = analysis.results if analysis else {}
    ids = [r["entity"] for r in results.get("by_cash_out", [])[:30]]
    labels = dict(
        Entity.objects.restrict(request.user).filter(investigation=inv, pk__in=ids).values_list("pk", "key")
    )
    label = names()
    html = render_to_string(
        "investigations/summary_pdf.html",
        {
            "inv": inv,
            "analysis": analysis,
            "totals": results.get("totals"),
            "cash_out": [
                {**r, "label": labels.get(r["entity"], r["entity"])}
                for r in results.get("by_cash_out", [])[:30]
            ],
            "provinces": [
                {**r, "label": label.get(r["province"], r["province"])}
                for r in results.get("by_province", [])
            ],
            "months": results.get("by_month", []),
            "rings": results.get("rings", [])[:30],
            "counts": selectors.counts(viewer=request.user, investigation=inv),
        },
        request=request,
    )
    response = HttpResponse(HTML(string=html, base_url=None).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{inv.code}-summary.pdf"'
    return response


#: The most nodes a link chart draws.
CHART_LIMIT = 300


def _centre(request, inv):
    raw = request.GET.get("entity")
    if not raw:
        return None
    entity = child_or_404(Entity.objects, request.user, inv, raw, path=request.get_full_path()[:500])
    return entity.merged_into or entity


def _depth(request) -> int:
    try:
        return min(max(int(request.GET.get("depth", "1")), 1), 3)
    except ValueError:
        return 1


@require_GET
@investigation_page
def link_chart(request: HttpRequest, inv) -> HttpResponse:
    centre = _centre(request, inv)
    graph = None
    if centre is not None:
        graph = selectors.neighbourhood(
            viewer=request.user,
            investigation=inv,
            centre_ids=[centre.pk],
            depth=_depth(request),
            limit=CHART_LIMIT,
        )
        services.investigation_read_record(
            viewer=request.user, investigation=inv, what="chart", entity=centre.pk, nodes=len(graph["nodes"])
        )
    return render(
        request,
        "investigations/chart.html",
        _ctx(request, inv, centre=centre, graph=graph, limit=CHART_LIMIT),
    )


@require_GET
@investigation_page
def link_chart_data(request: HttpRequest, inv) -> HttpResponse:
    """The neighbourhood of one entity as JSON, for expanding a node of the chart."""
    centre = _centre(request, inv)
    if centre is None:
        return JsonResponse({"nodes": [], "links": [], "truncated": False})
    graph = selectors.neighbourhood(
        viewer=request.user,
        investigation=inv,
        centre_ids=[centre.pk],
        depth=_depth(request),
        limit=CHART_LIMIT,
    )
    services.investigation_read_record(
        viewer=request.user, investigation=inv, what="chart", entity=centre.pk, nodes=len(graph["nodes"])
    )
    return JsonResponse(graph)


urlpatterns = [
    path("", investigation_list, name="list"),
    path("new/", investigation_new, name="new"),
    path("<int:pk>/team/", team, name="team"),
    path("<int:pk>/", investigation_detail, name="detail"),
    path("<int:pk>/search/", investigation_search, name="search"),
    path("<int:pk>/entities/<int:eid>/", entity_detail, name="entity"),
    path("<int:pk>/review/", review_queue, name="review"),
    path("<int:pk>/import/", material_upload, name="import"),
    path("<int:pk>/analyse/", analyse, name="analyse"),
    path("<int:pk>/export/<slug:fmt>/", export, name="export"),
    path("<int:pk>/summary.pdf", summary_pdf, name="summary_pdf"),
    path("<int:pk>/chart/", link_chart, name="chart"),
    path("<int:pk>/chart/data/", link_chart_data, name="chart_data"),
    path("<int:pk>/merges/<int:mid>/undo/", merge_undo, name="merge_undo"),
]

"""The pages of what the analysis found: rings and roles, money flow, totals (each opening the
list behind it), the victims' map, the timeline, and the PDF case summary."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from anninh.accounts.permissions import require_roles
from anninh.investigations import selectors, services
from anninh.investigations.access import APP_ROLES
from anninh.investigations.models import Entity, Link, LinkKind
from anninh.investigations.provinces import names as province_names
from anninh.investigations.provinces import provinces
from anninh.investigations.views import _ctx, investigation_page

TOTALS = ("distinct_victims", "paid", "returned", "lost")
ROLES = ("organiser", "collector", "mule", "cash_out")


def _analysis(request, inv):
    return selectors.latest_analysis(viewer=request.user, investigation=inv)


def _labels(request, inv, ids) -> dict[int, Entity]:
    return {
        e.pk: e
        for e in Entity.objects.restrict(request.user).filter(investigation=inv, pk__in=list(ids)[:2000])
    }


@require_GET
@investigation_page
def network(request: HttpRequest, inv) -> HttpResponse:
    services.investigation_read_record(viewer=request.user, investigation=inv, what="network")
    analysis = _analysis(request, inv)
    role = request.GET.get("role") or ""
    qs = Entity.objects.restrict(request.user).filter(investigation=inv, role__in=ROLES)
    if role in ROLES:
        qs = qs.filter(role=role)
    page = Paginator(qs.order_by("role", "-score", "id"), 100).get_page(request.GET.get("page"))
    rings = []
    if analysis:
        for ring in analysis.results.get("rings", [])[:200]:
            rings.append({"ring": ring["ring"], "size": len(ring["members"]), "first": ring["members"][0]})
        by_ring = dict(
            Entity.objects.restrict(request.user)
            .filter(investigation=inv, ring__isnull=False, role__in=ROLES)
            .values_list("ring")
            .annotate(n=Count("id"))
            .values_list("ring", "n")
        )
        for ring in rings:
            ring["roles"] = by_ring.get(ring["ring"], 0)
    return render(
        request,
        "investigations/network.html",
        _ctx(request, inv, analysis=analysis, page=page, role=role, roles=ROLES, rings=rings),
    )


@require_GET
@investigation_page
def money_flow(request: HttpRequest, inv) -> HttpResponse:
    """Victims → the accounts they paid → the cash-out points their money reached (sankey)."""
    services.investigation_read_record(viewer=request.user, investigation=inv, what="money_flow")
    analysis = _analysis(request, inv)
    data = None
    if analysis and analysis.results.get("flow"):
        flow = analysis.results["flow"]
        ids = {row["account"] for row in flow["into"]} | {row["cash_out"] for row in flow["out"]}
        ids |= {row["collector"] for row in flow["out"]}
        label = {
            pk: f"{e.label} ({e.key})" if e.label != e.key else e.key
            for pk, e in _labels(request, inv, ids).items()
        }
        victims = _("Victims")
        nodes = {victims}
        links = []
        for row in sorted(flow["into"], key=lambda r: -r["amount"])[:60]:
            name = label.get(row["account"], str(row["account"]))
            nodes.add(name)
            links.append({"source": victims, "target": name, "value": round(row["amount"])})
        shown = {link["target"] for link in links}
        for row in sorted(flow["out"], key=lambda r: -r["amount"]):
            src = label.get(row["collector"], str(row["collector"]))
            dst = "→ " + label.get(row["cash_out"], str(row["cash_out"]))
            if src in shown:
                nodes.add(dst)
                links.append({"source": src, "target": dst, "value": round(row["amount"])})
        data = {"nodes": [{"name": n} for n in sorted(nodes)], "links": links}
    return render(request, "investigations/money_flow.html", _ctx(request, inv, analysis=analysis, data=data))


@require_GET
@investigation_page
def total_detail(request: HttpRequest, inv, name: str) -> HttpResponse:
    """The list behind one total: the victims, or the payments, it was computed from; narrowed
    to a province, a month or a cash-out point when the link came from a breakdown."""
    if name not in TOTALS:
        raise Http404
    analysis = _analysis(request, inv)
    results = analysis.results if analysis is not None else {}
    total = results.get("totals", {}).get(name, {"value": 0, "ids": []})
    ids = list(total["ids"])
    narrowed = ""
    province = request.GET.get("province")
    month = request.GET.get("month")
    cash_out = request.GET.get("cash_out")
    commune = request.GET.get("commune")
    if commune:
        row = next((r for r in results.get("by_commune", []) if r["commune"] == commune), None)
        ids = row["ids"] if row else []
        narrowed = row["label"] if row else commune
        name = "distinct_victims"
    elif province is not None:
        row = next((r for r in results.get("by_province", []) if r["province"] == province), None)
        ids = row["ids"] if row else []
        narrowed = province_names().get(province, province or _("unknown province"))
        name = "distinct_victims"
    elif month:
        row = next((r for r in results.get("by_month", []) if r["month"] == month), None)
        ids, narrowed, name = (row["ids"] if row else []), month, "paid"
    elif cash_out:
        row = next((r for r in results.get("by_cash_out", []) if str(r["entity"]) == cash_out), None)
        ids, name = (row["ids"] if row else []), "paid"
        narrowed = (
            next(iter(_labels(request, inv, [int(cash_out)]).values()), cash_out)
            if cash_out.isdigit()
            else ""
        )
    services.investigation_read_record(
        viewer=request.user,
        investigation=inv,
        what="total",
        total=name,
        narrowed=str(narrowed),
        rows=len(ids),
    )
    paginator = Paginator(ids, 100)
    page = paginator.get_page(request.GET.get("page"))
    if name == "distinct_victims":
        rows = list(
            Entity.objects.restrict(request.user)
            .filter(investigation=inv, pk__in=list(page.object_list))
            .order_by("label")
        )
    else:
        rows = list(
            Link.objects.restrict(request.user)
            .filter(investigation=inv, pk__in=list(page.object_list))
            .select_related("source", "target", "batch")
            .order_by("occurred_at", "id")
        )
    return render(
        request,
        "investigations/total.html",
        _ctx(
            request,
            inv,
            name=name,
            total=total,
            rows=rows,
            page=page,
            narrowed=narrowed,
            query=request.GET.urlencode(),
        ),
    )


@require_GET
@investigation_page
def timeline(request: HttpRequest, inv) -> HttpResponse:
    kind = request.GET.get("kind") or ""
    if kind not in LinkKind.values:
        kind = ""
    services.investigation_read_record(viewer=request.user, investigation=inv, what="timeline", kind=kind)
    qs = Link.objects.restrict(request.user).filter(investigation=inv, occurred_at__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.select_related("source", "target").order_by("occurred_at", "id"), 100).get_page(
        request.GET.get("page")
    )
    days = selectors.timeline_days(viewer=request.user, investigation=inv)
    return render(
        request,
        "investigations/timeline.html",
        _ctx(
            request,
            inv,
            page=page,
            kind=kind,
            kinds=LinkKind.choices,
            query=f"kind={kind}",
            days=days,
            chart={
                "days": days,
                "labels": {
                    "payments": _("Payments (statements)"),
                    "complaints": _("Payments in complaints"),
                    "amount": _("Amount"),
                    "count": _("Number"),
                },
            },
        ),
    )


@require_GET
@require_roles(*APP_ROLES)
def provinces_geojson(request: HttpRequest) -> HttpResponse:
    """The 34 provinces as GeoJSON for the victims' map (reference data, no records)."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": p["id"], "label": p["name"]},
            "geometry": {"type": "MultiPolygon", "coordinates": [[ring] for ring in p["polygons"]]},
        }
        for p in provinces()
    ]
    response = JsonResponse({"type": "FeatureCollection", "features": features})
    response["Cache-Control"] = "private, max-age=86400"
    return response

"""Pages of the organisation app: the tree of police units and one unit. Views parse the
request, call selectors and render; every signed-in user may read the structure."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from anninh.accounts.permissions import require_roles
from anninh.geo import lookup
from anninh.geo.maps import map_config
from anninh.org import selectors


@require_roles()
def unit_list(request):
    q = request.GET.get("q", "")[:100]
    tree = selectors.unit_tree(viewer=request.user, q=q)
    context = {"tree": tree, "q": q, "active_nav": "org"}
    if request.htmx and request.htmx.target == "unit-results":
        return render(request, "org/_unit_results.html", context)
    return render(request, "org/unit_list.html", context)


@require_roles()
def unit_detail(request, pk: int):
    unit = selectors.unit_get(viewer=request.user, pk=pk)
    if unit is None:
        raise Http404
    context = {
        "unit": unit,
        "is_active": unit.is_active_on(),
        "children": selectors.unit_children(viewer=request.user, unit=unit),
        "member_count": selectors.unit_member_count(viewer=request.user, unit=unit),
        "active_nav": "org",
    }
    if unit.commune_id:
        context["feature"] = lookup.feature(unit.commune)
        context["map_config"] = map_config(highlight=unit.commune_id)
    return render(request, "org/unit_detail.html", context)

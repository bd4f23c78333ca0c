"""Pages of the geography app: the list (with the map) and one commune. Views parse the
request, call selectors and render; every signed-in user may read geography."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from anninh.accounts.permissions import require_roles
from anninh.geo import lookup, selectors
from anninh.geo.maps import map_config
from anninh.geo.models import CommuneKind


@require_roles()
def commune_list(request):
    q = request.GET.get("q", "")[:100]
    sort_key, descending = selectors.parse_sort(request.GET.get("sort"))
    sort = f"-{sort_key}" if descending else sort_key
    communes = selectors.commune_list(viewer=request.user, q=q, sort=sort)
    context = {
        "communes": communes,
        "q": q,
        "sort": sort,
        "sort_key": sort_key,
        "descending": descending,
        "columns": _columns(sort_key, descending),
        "kinds": CommuneKind,
        "active_nav": "geo",
    }
    if request.htmx and request.htmx.target == "commune-results":
        return render(request, "geo/_commune_results.html", context)
    context["map_config"] = map_config()
    return render(request, "geo/commune_list.html", context)


def _columns(sort_key: str, descending: bool) -> list[dict]:
    """Sortable column headers: the link of each reverses the order when already sorted by it."""
    columns = [
        ("kind", _("Type"), False),
        ("name", _("Name"), False),
        ("former", _("Former district"), False),
        ("area", _("Area (km²)"), True),
        ("population", _("Population"), True),
        ("density", _("People/km²"), True),
    ]
    out = []
    for key, label, numeric in columns:
        active = key == sort_key
        next_sort = key if not active or descending else f"-{key}"
        if not active and numeric:
            next_sort = f"-{key}"  # numbers: largest first on the first click
        out.append(
            {
                "key": key,
                "label": label,
                "numeric": numeric,
                "active": active,
                "descending": active and descending,
                "next": next_sort,
            }
        )
    return out


@require_roles()
def commune_detail(request, code: str):
    commune = selectors.commune_get(viewer=request.user, code=code)
    if commune is None:
        raise Http404
    police_unit = selectors.commune_police_unit(viewer=request.user, commune=commune)
    context = {
        "commune": commune,
        "police_unit": police_unit,
        "feature": lookup.feature(commune),
        "map_config": map_config(highlight=commune.code),
        "active_nav": "geo",
    }
    return render(request, "geo/commune_detail.html", context)

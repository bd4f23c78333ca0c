"""Patrol pages: plans (make, view, print), patrols done (htmx), checkpoint sites, dose vs crime."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.scoping import scope_for
from anninh.compstat.periods import today
from anninh.datefields import date_message
from anninh.geo import lookup
from anninh.geo.models import Commune
from anninh.hotspots.services import FORECAST_WRITER_ROLES
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.lib.text import fold
from anninh.patrols import printmap, selectors, services
from anninh.patrols.labels import name_assignments
from anninh.patrols.models import SHIFT_CHOICES, CheckpointSite, PatrolAssignment, PatrolPlan, PlanStatus
from anninh.records.models import OffenceGroup


def _date(value: str, default: dt.date, errors: list[str]) -> dt.date:
    """The typed day, or `default` when none is typed; a refused one (not a date, or outside
    01/01/1900 … 31/12/2100) adds its message to `errors` and gives `default`."""
    try:
        return parse_date_vn(value) if value else default
    except InvalidDate as exc:
        errors.append(date_message(exc))
        return default


def _communes(user) -> list[tuple[str, str, str]]:
    """The communes the user may plan for: (code, name, search key), in Vietnamese order."""
    qs = Commune.objects.order_by("sort_key", "code")
    if not user.has_role("commander", "analyst"):
        qs = qs.filter(code__in=sorted(scope_for(user).commune_codes))
    return list(qs.values_list("code", "name", "search_key"))


#: On the planning form, the communes shown before any search: the highest forecast risks
#: (and every commune already given teams).
TOP_COMMUNES = 12


def week_label(first: dt.date) -> str:
    """A week as people say it: "Tuần 50 (07/12–13/12)", never an ISO code.
    TODO(ux2 item 6/7): use the shared week-label helper once it exists."""
    last = first + dt.timedelta(days=6)
    return _("Week %(week)d (%(first)s–%(last)s)") % {
        "week": first.isocalendar().week,
        "first": f"{first:%d/%m}",
        "last": f"{last:%d/%m}",
    }


def _weeks(on: dt.date) -> list[tuple[dt.date, str, str]]:
    """This week and the next two: (Monday, label, which)."""
    monday = on - dt.timedelta(days=on.weekday())
    names = [_("this week"), _("next week"), _("in two weeks")]
    return [
        (monday + dt.timedelta(days=7 * i), week_label(monday + dt.timedelta(days=7 * i)), names[i])
        for i in range(3)
    ]


def _teams_values(source, communes) -> dict[str, str]:
    return {code: (source.get(f"teams_{code}") or "").strip()[:4] for code, _n, _k in communes}


def _visible(rows, values: dict[str, str], query: str, show_all: bool) -> set[str]:
    """The codes shown on the form: those matching the search (by folded name or code), else
    the highest risks; always those given teams."""
    chosen = {code for code, v in values.items() if v not in ("", "0")}
    if show_all or len(rows) <= TOP_COMMUNES:
        return {r.code for r in rows}
    if query:
        key = fold(query)
        return {r.code for r in rows if key in r.search_key or query in r.code} | chosen
    return {r.code for r in rows[:TOP_COMMUNES]} | chosen


@require_roles(*selectors.READER_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(viewer=request.user)[:200]
    return render(
        request,
        "patrols/list.html",
        {"plans": plans, "may_plan": request.user.has_role(*services.DRAFTER_ROLES), "active_nav": "patrols"},
    )


@require_roles(*services.DRAFTER_ROLES)
def plan_new(request: HttpRequest) -> HttpResponse:
    communes = _communes(request.user)
    source = request.POST if request.method == "POST" else request.GET
    errors: list[str] = []
    on = today()
    weeks = _weeks(on)
    day = _date(source.get("date", ""), on, errors)
    week_first = day - dt.timedelta(days=day.weekday())
    chosen_week = source.get("week", "")
    picked = next((first for first, _l, _w in weeks if first.isoformat() == chosen_week), None)
    if picked is not None and week_first != picked:  # a week chosen: its day, today if in it
        week_first = picked
        day = on if picked <= on <= picked + dt.timedelta(days=6) else picked
    shift = source.get("shift", "night")
    shift = shift if shift in dict(SHIFT_CHOICES) else "night"
    group = source.get("group", "")
    group = group if group in OffenceGroup.values else ""
    per_team = source.get("cells_per_team", "3")
    per_team = int(per_team) if per_team.isdigit() and len(per_team) < 3 else 3
    values = _teams_values(source, communes)
    confirm_low = source.get("confirm_low") == "1"
    low_warnings: list[str] = []
    names = {code: name for code, name, _k in communes}
    if request.method == "POST" and not errors:
        made = []
        for code, raw in values.items():
            if not raw or raw == "0":
                continue
            if not raw.isdigit() or len(raw) > 3:
                errors.append(_("%(commune)s: enter a whole number of teams.") % {"commune": names[code]})
                continue
            try:
                made.append(
                    services.plan_create(
                        actor=request.user,
                        day=day,
                        shift=shift,
                        commune=code,
                        teams=int(raw),
                        cells_per_team=per_team,
                        offence_group=group,
                        confirm_low=confirm_low,
                    )
                )
            except services.LowRiskPlan as exc:
                low_warnings.append(f"{names[code]}: {exc}")
            except services.PatrolError as exc:
                errors.append(f"{names[code]}: {exc}")
            except PermissionDenied:
                audit_denied(request, reason="scope")
                raise
        if made and not errors and not low_warnings:
            messages.success(
                request,
                _("Drafts made: %(n)d. Check them and submit them to a commander for approval.")
                % {"n": len(made)},
            )
            return redirect("patrols:detail", pk=made[0].pk) if len(made) == 1 else redirect("patrols:list")
        if made:
            messages.success(request, _("Drafts made: %(n)d.") % {"n": len(made)})
            for plan in made:  # made: not to be asked again
                values[plan.commune_id] = ""
        if not made and not errors and not low_warnings:
            errors.append(_("Give at least one commune a number of teams."))
    forecast = services.forecast_for(day, shift, group)
    rows = selectors.commune_risks(viewer=request.user, forecast=forecast, communes=communes)
    query = (source.get("q") or "").strip()[:60]
    show_all = source.get("all") == "1"
    visible = _visible(rows, values, query, show_all)
    may_forecast = request.user.has_role(*FORECAST_WRITER_ROLES)
    context = {
        "rows": rows,
        "visible": visible,
        "n_hidden": len(rows) - len(visible),
        "query": query,
        "show_all": show_all,
        "weeks": weeks,
        "week_first": week_first,
        "week_label": week_label(week_first),
        "week_days": [week_first + dt.timedelta(days=i) for i in range(7)],
        "day": day,
        "shift": shift,
        "group": group,
        "cells_per_team": per_team,
        "shifts": SHIFT_CHOICES,
        "groups": OffenceGroup.choices,
        "errors": errors,
        "low_warnings": low_warnings,
        "low_expected": services.LOW_EXPECTED,
        "values": values,
        "forecast": forecast,
        "may_forecast": may_forecast,
        "map_data": {
            "geojsonUrl": reverse("api:geo_communes_geojson"),
            "risks": {r.code: {"expected": r.expected, "rank": r.rank} for r in rows},
            "labels": {"expected": _("expected crimes this week"), "rank": _("rank")},
        },
        "active_nav": "patrols",
    }
    status = 400 if errors or low_warnings else 200
    return render(request, "patrols/new.html", context, status=status)


@require_roles(*FORECAST_WRITER_ROLES)
@require_POST
def week_forecast(request: HttpRequest) -> HttpResponse:
    """Make the missing weekly forecast for the week being planned (a background task)."""
    group = request.POST.get("group", "")
    group = group if group in OffenceGroup.values else ""
    weeks = {first.isoformat(): first for first, _l, _w in _weeks(today())}
    first = weeks.get(request.POST.get("week", ""))
    target = reverse("patrols:new")
    if first is None:
        messages.error(request, _("Choose this week or one of the next two."))
        return redirect(target)
    try:
        answer = services.week_forecast_request(actor=request.user, week_first=first, offence_group=group)
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    if "error" in answer:
        messages.error(request, answer["error"])
    elif "forecast" in answer:
        messages.success(request, _("The forecast of %(week)s is ready.") % {"week": week_label(first)})
    else:
        messages.info(
            request,
            _("The forecast of %(week)s is being made: reload in a minute.") % {"week": week_label(first)},
        )
    shift = request.POST.get("shift", "night")
    shift = shift if shift in dict(SHIFT_CHOICES) else "night"
    return redirect(f"{target}?week={first.isoformat()}&shift={shift}&group={group}")


def _plan(request, pk: int) -> PatrolPlan:
    return get_scoped_or_404(
        selectors.plan_base(viewer=request.user).select_related(
            "commune", "forecast", "created_by", "submitted_by", "decided_by"
        ),
        request.user,
        unscoped=PatrolPlan.objects.unrestricted(),
        pk=pk,
    )


def _who(user) -> str:
    """A person's name for "drafted/submitted/decided by": the seeded demo plans and plans whose
    author was deleted have no user (a template filter argument cannot look into None)."""
    if user is None:
        return "—"
    return getattr(user, "full_name", "") or user.get_full_name() or user.get_username()


def _plan_context(request, plan: PatrolPlan) -> dict:
    sites = (
        CheckpointSite.objects.restrict(request.user)
        .filter(commune_id=plan.commune_id)
        .only("name", "lat", "lon")
    )
    assignments = name_assignments(
        plan.assignments.select_related("done_by").order_by("team", "order"),
        commune=plan.commune,
        sites=sites,
    )
    checkpoints = list(plan.checkpoints.select_related("site").order_by("rank"))
    start, end = services.shift_bounds(plan.date, plan.shift)
    return {
        "plan": plan,
        "drafted_by": _who(plan.created_by),
        "submitted_by": _who(plan.submitted_by),
        "decided_by": _who(plan.decided_by),
        "assignments": assignments,
        "checkpoints": checkpoints,
        "shift_start": start,
        "shift_end": end,
        "may_mark": plan.status == PlanStatus.APPROVED and services.may_act_in(request.user, plan.commune_id),
        "may_edit": plan.status in services.EDITABLE and services.may_draft_in(request.user, plan.commune_id),
        "may_decide": plan.status == PlanStatus.SUBMITTED and services.may_approve(request.user),
        "low_expected": services.LOW_EXPECTED,
        "active_nav": "patrols",
    }


@require_roles(*selectors.READER_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return render(request, "patrols/detail.html", _plan_context(request, plan))


@require_roles(*selectors.READER_ROLES)
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = _plan_context(request, plan)
    feature = lookup.feature(plan.commune)
    geom = feature["geometry"]
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    context["map_svg"] = printmap.plan_svg(
        [poly[0] for poly in polys],
        [(a.team, a.order, a.lat, a.lon) for a in context["assignments"]],
        [(c.rank, c.site.name, c.site.lat, c.site.lon) for c in context["checkpoints"]],
        plan.forecast.cell_metres,
    )
    return render(request, "patrols/print.html", context)


def _act(request, call) -> HttpResponse | None:
    """Run a service for a plan page's button: a refusal is audited and raised, a request that
    cannot be done is shown as a message."""
    try:
        call()
    except services.PatrolError as exc:
        messages.error(request, str(exc))
        return None
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    return None


@require_roles(*services.DRAFTER_ROLES)
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    _act(request, lambda: services.plan_submit(actor=request.user, plan=plan))
    plan.refresh_from_db(fields=["status"])
    if plan.status == PlanStatus.SUBMITTED:
        messages.success(request, _("Submitted: a commander will approve it or send it back."))
    return redirect("patrols:detail", pk=plan.pk)


@require_roles(*services.APPROVER_ROLES)
@require_POST
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    approve = request.POST.get("decision") == "approve"
    note = request.POST.get("note", "")
    _act(request, lambda: services.plan_decide(actor=request.user, plan=plan, approve=approve, note=note))
    plan.refresh_from_db(fields=["status"])
    if plan.status == PlanStatus.APPROVED:
        messages.success(request, _("Approved: the plan can be printed and carried out."))
    elif plan.status == PlanStatus.REJECTED:
        messages.success(request, _("Sent back to the drafter."))
    return redirect("patrols:detail", pk=plan.pk)


@require_roles(*services.DRAFTER_ROLES)
@require_POST
def plan_revise(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    teams = request.POST.get("teams", "")
    per_team = request.POST.get("cells_per_team", "")
    if not (teams.isdigit() and per_team.isdigit() and len(teams) < 4 and len(per_team) < 4):
        messages.error(request, _("Enter whole numbers of teams and of cells per team."))
        return redirect("patrols:detail", pk=plan.pk)
    _act(
        request,
        lambda: services.plan_revise(
            actor=request.user,
            plan=plan,
            teams=int(teams),
            cells_per_team=int(per_team),
            confirm_low=request.POST.get("confirm_low") == "1",
        ),
    )
    return redirect("patrols:detail", pk=plan.pk)


@require_roles(*services.PLANNER_ROLES)
@require_POST
def assignment_done(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    plan = _plan(request, pk)
    assignment = get_object_or_404(PatrolAssignment, plan=plan, pk=aid)
    try:
        assignment = services.patrol_mark_done(
            actor=request.user,
            assignment=assignment,
            done=request.POST.get("done", "1") == "1",
            note=request.POST.get("note", ""),
        )
        error = ""
    except services.PatrolError as exc:
        error = str(exc)
    except PermissionDenied:
        audit_denied(request, reason="scope")
        raise
    if request.htmx:
        return render(
            request,
            "patrols/_assignment.html",
            {"a": assignment, "plan": plan, "may_mark": True, "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("patrols:detail", pk=plan.pk)


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    commune = forms.ChoiceField(label=gettext_lazy("Commune"))
    lat = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


@require_roles(*selectors.READER_ROLES)
def site_list(request: HttpRequest) -> HttpResponse:
    communes = [(code, name) for code, name, _k in _communes(request.user)]
    may_edit = request.user.has_role(*services.PLANNER_ROLES)
    form = SiteForm(request.POST or None)
    form.fields["commune"].choices = communes
    status = 200
    if request.method == "POST":
        if not may_edit:
            audit_denied(request, reason="role")
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.checkpoint_site_create(
                    actor=request.user,
                    name=d["name"],
                    commune=d["commune"],
                    lat=d["lat"],
                    lon=d["lon"],
                    note=d["note"],
                )
            except services.PatrolError as exc:
                form.add_error(None, str(exc))
            except PermissionDenied:
                audit_denied(request, reason="scope")
                raise
            else:
                messages.success(request, _("Checkpoint site added."))
                return redirect("patrols:sites")
        status = 400
    sites = selectors.site_list(viewer=request.user).order_by("commune__sort_key", "name")[:500]
    return render(
        request,
        "patrols/sites.html",
        {"sites": sites, "form": form, "may_edit": may_edit, "active_nav": "patrols"},
        status=status,
    )


@require_roles(*selectors.READER_ROLES)
def dose(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    until = _date(request.GET.get("to", ""), today() - dt.timedelta(days=1), errors)
    since = _date(request.GET.get("from", ""), until - dt.timedelta(days=27), errors)
    if since > until:
        since, until = until, since
    rows = selectors.dose_vs_crime(viewer=request.user, since=since, until=until)
    chart = {
        "labels": [str(_("Patrolled")) if r.key == "patrolled" else str(_("Not patrolled")) for r in rows],
        "series": [
            {
                "name": str(_("Crimes expected by the forecast")),
                "values": [round(r.expected, 2) for r in rows],
            },
            {"name": str(_("Crimes that occurred")), "values": [r.crimes for r in rows]},
        ],
    }
    return render(
        request,
        "patrols/dose.html",
        {
            "rows": rows,
            "since": since,
            "until": until,
            "chart": chart,
            "errors": errors,
            "active_nav": "patrols",
        },
    )


urlpatterns = [
    path("", plan_list, name="list"),
    path("new/", plan_new, name="new"),
    path("new/forecast/", week_forecast, name="week_forecast"),
    path("<int:pk>/submit/", plan_submit, name="submit"),
    path("<int:pk>/decide/", plan_decide, name="decide"),
    path("<int:pk>/revise/", plan_revise, name="revise"),
    path("<int:pk>/", plan_detail, name="detail"),
    path("<int:pk>/print/", plan_print, name="print"),
    path("<int:pk>/assignments/<int:aid>/done/", assignment_done, name="done"),
    path("checkpoints/", site_list, name="sites"),
    path("dose/", dose, name="dose"),
]

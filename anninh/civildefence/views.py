"""Civil-defence pages: the force on the map (members per 1,000 residents by commune) with the
teams the viewer may read; a team (members, duty roster, patrols joined); a member's own
duties. Views parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.audit.services import audit_record
from anninh.civildefence import selectors, services
from anninh.civildefence.models import Team, TeamRole
from anninh.datefields import date_message
from anninh.geo.models import Commune
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.patrols.models import SHIFT_CHOICES, PatrolPlan, PlanStatus


def _date(value: str, errors: list[str], *, required: bool = True) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        if required:
            errors.append(_("Enter the date as dd/mm/yyyy, e.g. 05/11/2026."))
        return None
    try:
        return parse_date_vn(value)
    except InvalidDate as exc:
        errors.append(date_message(exc))
        return None


def _team_or_404(request: HttpRequest, pk: int) -> Team:
    return get_scoped_or_404(
        selectors.team_base(viewer=request.user), request.user, unscoped=Team.objects.unrestricted(), pk=pk
    )


def _communes(user) -> list[tuple[str, str]]:
    qs = Commune.objects.order_by("sort_key", "code")
    if not user.has_role(Role.COMMANDER):
        qs = qs.filter(code__in=sorted(scope_for(user).commune_codes))
    return list(qs.values_list("code", "name"))


@require_roles(*selectors.READER_ROLES)
@require_GET
def force_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    force = selectors.force_by_commune(viewer=user)
    return render(
        request,
        "civildefence/list.html",
        {
            "teams": selectors.team_list(viewer=user)[:500],
            "force": force,
            "totals": {
                "teams": sum(c.teams for c in force),
                "members": sum(c.members for c in force),
                "trained": sum(c.trained for c in force),
            },
            "may_manage": user.has_role(*services.MANAGER_ROLES),
            "map_data": {
                "geojsonUrl": reverse("api:geo_communes_geojson"),
                "force": {
                    c.code: {"members": c.members, "teams": c.teams, "per1000": c.per_1000} for c in force
                },
                "labels": {"members": _("members"), "per1000": _("per 1,000 residents"), "teams": _("teams")},
            },
            "active_nav": "civildefence",
        },
    )


@require_roles(*services.MANAGER_ROLES)
def team_new(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    communes = _communes(request.user)
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        founded = _date(source.get("founded_on", ""), errors, required=False)
        if not errors:
            try:
                team = services.team_create(
                    actor=request.user,
                    commune=source.get("commune", ""),
                    name=source.get("name", ""),
                    founded_on=founded,
                    note=source.get("note", ""),
                )
            except services.CivilDefenceError as exc:
                errors.append(str(exc))
            except PermissionDenied:
                audit_denied(request, reason="scope")
                raise
            else:
                messages.success(request, _("Team created: add its members."))
                return redirect("civildefence:team", pk=team.pk)
    return render(
        request,
        "civildefence/team_new.html",
        {"errors": errors, "values": source, "communes": communes, "active_nav": "civildefence"},
    )


@require_roles(*selectors.READER_ROLES)
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    team = _team_or_404(request, pk)
    members = list(selectors.members_of(viewer=user, team=team)) if selectors.may_read_members(user) else []
    duties = list(selectors.duties_of(viewer=user, team=team))
    may_manage = services.may_manage_in(user, team.commune_id)
    today = timezone.localdate()
    plans = []
    if services.may_keep_roster(user, team):
        # Approved patrol plans of the team's commune from today on, for a duty to join
        # (read as the system does: a leader may join a plan without reading the plans).
        plans = list(
            PatrolPlan.objects.unrestricted()
            .filter(commune_id=team.commune_id, status=PlanStatus.APPROVED, date__gte=today)
            .order_by("date", "shift")[:30]
        )
    if members:
        audit_record(actor=user, action="view", target=team, extra={"members": [m.pk for m in members]})
    return render(
        request,
        "civildefence/team.html",
        {
            "team": team,
            "members": members,
            "may_read_members": selectors.may_read_members(user),
            "duties": duties,
            "may_manage": may_manage,
            "may_keep_roster": services.may_keep_roster(user, team),
            "roles": TeamRole.choices,
            "shifts": SHIFT_CHOICES,
            "plans": plans,
            "active_nav": "civildefence",
        },
    )


def _post(request, team, anchor, call, done):
    try:
        call()
    except services.CivilDefenceError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    else:
        messages.success(request, done)
    return redirect(reverse("civildefence:team", args=[team.pk]) + f"#{anchor}")


@require_roles(*services.MANAGER_ROLES)
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    p = request.POST
    errors: list[str] = []
    start = _date(p.get("start_date", ""), errors)
    trained_on = _date(p.get("trained_on", ""), errors, required=False)
    if errors:
        for e in errors:
            messages.error(request, e)
        return redirect(reverse("civildefence:team", args=[team.pk]) + "#members")
    return _post(
        request,
        team,
        "members",
        lambda: services.member_add(
            actor=request.user,
            team=team,
            full_name=p.get("full_name", ""),
            id_number=p.get("id_number", ""),
            phone=p.get("phone", ""),
            role_in_team=p.get("role_in_team", TeamRole.MEMBER),
            start_date=start,
            training_done=p.get("training_done") == "1",
            trained_on=trained_on,
            training_note=p.get("training_note", ""),
        ),
        _("Member added."),
    )


@require_roles(*services.MANAGER_ROLES)
@require_POST
def team_leader(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    return _post(
        request,
        team,
        "leader",
        lambda: services.team_set_leader(
            actor=request.user,
            team=team,
            username=request.POST.get("username", "").strip(),
            unlink=request.POST.get("unlink") == "1",
        ),
        _("The leader's account is linked to the team."),
    )


@require_roles(Role.COMMANDER, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER)
@require_POST
def duty_add(request: HttpRequest, pk: int) -> HttpResponse:
    team = _team_or_404(request, pk)
    p = request.POST
    errors: list[str] = []
    day = _date(p.get("date", ""), errors)
    if errors:
        for e in errors:
            messages.error(request, e)
        return redirect(reverse("civildefence:team", args=[team.pk]) + "#duties")
    ids = [int(v) for v in p.getlist("members") if v.isdigit() and len(v) < 10]
    plan_id = p.get("patrol_plan", "")
    plan = (
        PatrolPlan.objects.unrestricted().filter(pk=int(plan_id)).first()
        if plan_id.isdigit() and len(plan_id) < 10
        else None
    )
    return _post(
        request,
        team,
        "duties",
        lambda: services.duty_create(
            actor=request.user,
            team=team,
            date=day,
            shift=p.get("shift", ""),
            task=p.get("task", ""),
            member_ids=ids,
            patrol_plan=plan,
            note=p.get("note", ""),
        ),
        _("Duty added to the roster."),
    )


@require_roles(Role.CIVIL_DEFENCE_MEMBER, Role.CIVIL_DEFENCE_LEADER)
@require_GET
def my_duties(request: HttpRequest) -> HttpResponse:
    duties = list(selectors.my_duties(viewer=request.user)[:200])
    return render(request, "civildefence/my_duties.html", {"duties": duties, "active_nav": "my_duties"})


app_name = "civildefence"
urlpatterns = [
    path("", force_list, name="list"),
    path("teams/new/", team_new, name="team_new"),
    path("teams/<int:pk>/", team_detail, name="team"),
    path("teams/<int:pk>/members/", member_add, name="member_add"),
    path("teams/<int:pk>/leader/", team_leader, name="team_leader"),
    path("teams/<int:pk>/duties/", duty_add, name="duty_add"),
    path("my-duties/", my_duties, name="my_duties"),
]

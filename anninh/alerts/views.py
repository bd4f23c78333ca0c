"""Pages of the early warning: alerts (list, detail with evidence and trail, acknowledge and
resolve), the bell (an htmx partial), subscriptions, and the noise table."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.alerts import selectors, services, texts
from anninh.alerts.models import ALERT_READERS, Alert, AlertKind, AlertStatus, Subscription
from anninh.audit.services import audit_record
from anninh.geo.models import Commune
from anninh.records.models import OffenceGroup
from anninh.records.services.collector import collector_view

READERS = tuple(ALERT_READERS)


def _alert(request, pk: int) -> Alert:
    return get_scoped_or_404(
        selectors.alert_base(viewer=request.user).select_related(
            "commune", "unit", "acknowledged_by", "resolved_by"
        ),
        request.user,
        unscoped=Alert.objects.unrestricted(),
        pk=pk,
    )


@require_roles(*READERS)
def alert_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "live")
    status = status if status in {"live", "", *AlertStatus.values} else "live"
    kind = request.GET.get("kind", "")
    kind = kind if kind in AlertKind.values else ""
    mine = request.GET.get("mine") == "1"
    commune = request.GET.get("commune", "")[:5]
    alerts = list(
        selectors.alert_list(viewer=request.user, status=status, kind=kind, commune=commune, mine=mine)[:200]
    )
    unread = selectors.unread_ids(viewer=request.user, alert_ids=[a.pk for a in alerts])
    for a in alerts:
        a.headline = texts.headline(a)
        a.unread = a.pk in unread
    return render(
        request,
        "alerts/list.html",
        {
            "alerts": alerts,
            "status": status,
            "kind": kind,
            "mine": mine,
            "statuses": AlertStatus.choices,
            "kinds": AlertKind.choices,
            "active_nav": "alerts",
        },
    )


@require_roles(*READERS)
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    audit_record(actor=request.user, action="view", target=alert)
    services.deliveries_mark_read(viewer=request.user, alert=alert)
    alert.headline = texts.headline(alert)
    e = dict(alert.evidence or {})
    if alert.kind == "event_risk":
        # The risk's status in the reader's language ("open" is stored, "Đang mở" is shown).
        from django.apps import apps

        if apps.is_installed("anninh.events"):
            labels = dict(apps.get_model("events", "Risk")._meta.get_field("status").choices)
            for key in ("status", "status_before"):
                if e.get(key):
                    e[key] = str(labels.get(e[key], e[key]))
    show_identifier = scope_for(request.user).personal_data
    # A fraud alert names the collector account (personal data: masked without it); alerts
    # raised before the field existed named a number read from the statements.
    collector = (
        collector_view(e.get("identifier", ""), personal=show_identifier)
        if alert.kind == "fraud" and e.get("identifier_kind") == "account"
        else None
    )
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "e": e,
            "trail": selectors.alert_trail(viewer=request.user, alert=alert),
            "may_act": request.user.has_role(*services.ACTOR_ROLES),
            "identifier": e.get("identifier", "")
            if show_identifier
            else "…" + str(e.get("identifier", ""))[-3:],
            "collector": collector,
            "group_labels": dict(OffenceGroup.choices),
            "active_nav": "alerts",
        },
    )


@require_roles(*READERS)
@require_POST
def alert_act(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert(request, pk)
    try:
        services.alert_act(
            actor=request.user,
            alert=alert,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except services.AlertError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    else:
        messages.success(request, _("Saved."))
    return redirect("alerts:detail", pk=alert.pk)


def bell(request: HttpRequest) -> HttpResponse:
    """The unread count for the navigation (htmx, every minute): one query; empty for anyone
    who reads no alerts."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponse(status=401 if getattr(request, "htmx", False) else 204)
    if not user.has_role(*READERS):
        return HttpResponse("")
    return render(request, "alerts/_bell.html", {"unread": selectors.unread_count(viewer=user)})


def _commune_choices(user) -> list[tuple[str, str]]:
    qs = Commune.objects.order_by("sort_key", "code")
    if not user.has_role(Role.COMMANDER, Role.ANALYST):
        qs = qs.filter(code__in=sorted(scope_for(user).commune_codes))
    return list(qs.values_list("code", "name"))


@require_roles(*READERS)
def subscriptions(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            services.subscription_create(
                actor=request.user,
                communes=request.POST.getlist("communes"),
                offence_groups=request.POST.getlist("offence_groups"),
                kinds=request.POST.getlist("kinds"),
                for_unit=request.POST.get("for_unit") == "1",
                digest=request.POST.get("digest") == "1",
            )
        except services.AlertError as exc:
            messages.error(request, str(exc))
        except PermissionDenied:
            audit_denied(request, reason="scope")
            raise
        else:
            messages.success(request, _("Subscribed."))
            return redirect("alerts:subscriptions")
    subs = list(selectors.subscription_list(viewer=request.user))
    names = dict(
        Commune.objects.filter(code__in={c for s in subs for c in s.communes}).values_list("code", "name")
    )
    kinds = dict(AlertKind.choices)
    groups = dict(OffenceGroup.choices)
    for s in subs:
        s.commune_names = [names.get(c, c) for c in s.communes]
        s.kind_names = [kinds.get(k, k) for k in s.kinds]
        s.group_names = [groups.get(g, g) for g in s.offence_groups]
    return render(
        request,
        "alerts/subscriptions.html",
        {
            "subscriptions": subs,
            "communes": _commune_choices(request.user),
            "kinds": AlertKind.choices,
            "groups": OffenceGroup.choices,
            "may_unit": bool(request.user.unit_id)
            and request.user.has_role(Role.COMMANDER, Role.COMMUNE_OFFICER),
            "active_nav": "alerts",
        },
    )


@require_roles(*READERS)
@require_POST
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    sub = get_scoped_or_404(
        selectors.subscription_list(viewer=request.user),
        request.user,
        unscoped=Subscription.objects.unrestricted(),
        pk=pk,
    )
    try:
        services.subscription_delete(actor=request.user, subscription=sub)
    except PermissionDenied:
        audit_denied(request, reason="owner")
        raise
    messages.success(request, _("Subscription ended."))
    return redirect("alerts:subscriptions")


@require_roles(*READERS)
def noise(request: HttpRequest) -> HttpResponse:
    mondays, rows, median = selectors.noise_table(viewer=request.user)
    return render(
        request,
        "alerts/noise.html",
        {
            "mondays": mondays,
            "rows": rows,
            "median": median,
            "active_nav": "alerts",
            "list_url": reverse("alerts:list"),
        },
    )


urlpatterns = [
    path("", alert_list, name="list"),
    path("bell/", bell, name="bell"),
    path("noise/", noise, name="noise"),
    path("subscriptions/", subscriptions, name="subscriptions"),
    path("subscriptions/<int:pk>/delete/", subscription_delete, name="subscription_delete"),
    path("<int:pk>/", alert_detail, name="detail"),
    path("<int:pk>/act/", alert_act, name="act"),
]

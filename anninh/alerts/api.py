"""The early warning over the API, mounted at /api/alerts/: the caller's alerts (with the
unread count of their bell and the page's filters), one alert with its evidence and trail,
acknowledging and resolving, and the caller's subscriptions (list, create, change, end).

Scoped and audited like the pages: alerts through their need-to-know rule, subscriptions the
caller's own and their unit's, every write through anninh.alerts.services. A collector
account in a fraud alert's evidence is masked for callers without personal data."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied, get_scoped_or_404
from anninh.alerts import selectors, services, texts
from anninh.alerts.models import ALERT_READERS, Alert, AlertKind, Subscription
from anninh.audit.services import audit_record
from anninh.records.models import OffenceGroup

router = Router()
READERS = tuple(ALERT_READERS)
MAX_ID = 2**31 - 1


# Schemas (names prefixed "Alerts": OpenAPI component names are shared by every app) ------------


class AlertsListQuery(Schema):
    status: str = Field(
        "",
        pattern=r"^(|live|open|acknowledged|resolved)$",
        description='"live" (open or acknowledged), one status, or empty for every alert.',
    )
    kind: AlertKind | None = None
    commune: str | None = Field(None, pattern=r"^[0-9]{5}$", description="NSO code")
    mine: bool = Field(False, description="Only the alerts delivered to you (your subscriptions).")
    unread: bool = Field(False, description="Only the alerts delivered to you and not opened yet.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class AlertsAlertOut(Schema):
    id: int
    kind: str
    headline: str = Field(description="The alert in the caller's language.")
    title: str
    commune: str | None
    unit: int | None
    offence_group: str
    status: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    resolved_at: dt.datetime | None
    unread: bool = Field(description="Delivered to you and not opened yet.")


class AlertsListOut(Schema):
    count: int
    unread: int = Field(description="Your unread alerts (the bell), whatever the filters.")
    results: list[AlertsAlertOut]


class AlertsTrailOut(Schema):
    at: dt.datetime
    kind: str
    note: str
    actor: str


class AlertsDetailOut(AlertsAlertOut):
    evidence: dict = Field(description="What the rule found, frozen when it was found.")
    trail: list[AlertsTrailOut]


class AlertsAcknowledgeIn(Schema):
    note: str = Field("", max_length=1000)


class AlertsResolveIn(Schema):
    note: str = Field(..., min_length=1, max_length=1000, description="What was done (required).")


class AlertsSubscriptionIn(Schema):
    communes: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="NSO codes; empty: every commune you may read (a commune officer: their own).",
    )
    offence_groups: list[OffenceGroup] = Field(default_factory=list, max_length=20)
    kinds: list[AlertKind] = Field(default_factory=list, max_length=10)
    for_unit: bool = Field(False, description="For every member of your unit (commanders, commune officers).")
    digest: bool = Field(True, description="Include in the daily e-mail digest.")


class AlertsSubscriptionOut(Schema):
    id: int
    communes: list[str]
    offence_groups: list[str]
    kinds: list[str]
    unit: int | None
    digest: bool
    mine: bool = Field(description="Yours (you may change or end it); else your unit's.")
    created_at: dt.datetime


class AlertsSubscriptionListOut(Schema):
    results: list[AlertsSubscriptionOut]


# Helpers ------------------------------------------------------------------------------------------


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user, reason: str = "role", message: str = ""):
    audit_denied(user, reason=reason, path=request.get_full_path()[:500])
    return Status(403, {"detail": message or _("You may not do this.")})


def _alert_out(alert: Alert, unread: set[int]) -> dict:
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "headline": texts.headline(alert),
        "title": alert.title,
        "commune": alert.commune_id,
        "unit": alert.unit_id,
        "offence_group": alert.offence_group,
        "status": alert.status,
        "raised_at": alert.raised_at,
        "acknowledged_at": alert.acknowledged_at,
        "resolved_at": alert.resolved_at,
        "unread": alert.pk in unread,
    }


def _alert(user, alert_id: int) -> Alert:
    return get_scoped_or_404(
        selectors.alert_base(viewer=user), user, unscoped=Alert.objects.unrestricted(), pk=alert_id
    )


def _subscription_out(sub: Subscription, user) -> dict:
    return {
        "id": sub.pk,
        "communes": sub.communes,
        "offence_groups": sub.offence_groups,
        "kinds": sub.kinds,
        "unit": sub.unit_id,
        "digest": sub.digest,
        "mine": sub.user_id == user.pk,
        "created_at": sub.created_at,
    }


def _problem(code: str, message: str, loc: list) -> Status:
    return Status(422, {"detail": [{"type": code, "loc": loc, "msg": message}]})


# Alerts -------------------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: AlertsListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="alerts_list",
    summary="The alerts you may read, newest first, with your unread count",
)
def list_alerts(request: HttpRequest, query: Query[AlertsListQuery]):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    qs = selectors.alert_list(
        viewer=user,
        status=query.status,
        kind=query.kind or "",
        commune=query.commune or "",
        mine=query.mine or query.unread,
    )
    if query.unread:
        qs = qs.filter(deliveries__user=user, deliveries__read_at__isnull=True)
    page = list(qs[query.offset : query.offset + query.limit])
    unread = selectors.unread_ids(viewer=user, alert_ids=[a.pk for a in page])
    return {
        "count": qs.count(),
        "unread": selectors.unread_count(viewer=user),
        "results": [_alert_out(a, unread) for a in page],
    }


# Subscriptions ------------------------------------------------------------------------------------


@router.get(
    "/subscriptions",
    response={200: AlertsSubscriptionListOut, 403: ErrorOut},
    url_name="alerts_subscriptions",
    summary="Your subscriptions and your unit's",
)
def list_subscriptions(request: HttpRequest):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    return {"results": [_subscription_out(s, user) for s in selectors.subscription_list(viewer=user)]}


def _subscription_write(request, user, fn, payload: AlertsSubscriptionIn, **extra):
    try:
        sub = fn(
            actor=user,
            communes=payload.communes,
            offence_groups=[str(g) for g in payload.offence_groups],
            kinds=[str(k) for k in payload.kinds],
            for_unit=payload.for_unit,
            digest=payload.digest,
            **extra,
        )
    except PermissionDenied:
        return _refuse(request, user, reason="scope", message=_("You may not subscribe to these alerts."))
    except services.AlertError as exc:
        return _problem("subscription.invalid", str(exc), ["body"])
    return sub


@router.post(
    "/subscriptions",
    response={201: AlertsSubscriptionOut, 400: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="alerts_subscription_create",
    summary="Subscribe to alerts (by commune, offence group and kind), within your reach",
)
def create_subscription(request: HttpRequest, payload: AlertsSubscriptionIn):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    result = _subscription_write(request, user, services.subscription_create, payload)
    if isinstance(result, Status):
        return result
    return Status(201, _subscription_out(result, user))


def _subscription(user, subscription_id: int) -> Subscription:
    return get_scoped_or_404(
        selectors.subscription_list(viewer=user),
        user,
        unscoped=Subscription.objects.unrestricted(),
        pk=subscription_id,
    )


@router.put(
    "/subscriptions/{subscription_id}",
    response={
        200: AlertsSubscriptionOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="alerts_subscription_update",
    summary="Change what one of your subscriptions asks for",
)
def update_subscription(
    request: HttpRequest, payload: AlertsSubscriptionIn, subscription_id: int = Path(..., ge=1, le=MAX_ID)
):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    try:
        sub = _subscription(user, subscription_id)
    except Http404:
        return Status(404, {"detail": _("No such subscription.")})
    result = _subscription_write(request, user, services.subscription_update, payload, subscription=sub)
    if isinstance(result, Status):
        return result
    return Status(200, _subscription_out(result, user))


@router.delete(
    "/subscriptions/{subscription_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="alerts_subscription_delete",
    summary="End one of your subscriptions",
)
def delete_subscription(request: HttpRequest, subscription_id: int = Path(..., ge=1, le=MAX_ID)):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    try:
        sub = _subscription(user, subscription_id)
    except Http404:
        return Status(404, {"detail": _("No such subscription.")})
    try:
        services.subscription_delete(actor=user, subscription=sub)
    except PermissionDenied:
        return _refuse(request, user, reason="owner", message=_("Only its owner ends a subscription."))
    return HttpResponse(status=204)


# One alert, acknowledging and resolving (after the subscriptions: "/subscriptions" is not an
# alert id) ------------------------------------------------------------------------------------


@router.get(
    "/{alert_id}",
    response={200: AlertsDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="alerts_detail",
    summary="One alert with its evidence and trail (marks it read for you)",
)
def get_alert(request: HttpRequest, alert_id: int = Path(..., ge=1, le=MAX_ID)):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    try:
        alert = _alert(user, alert_id)
    except Http404:
        return Status(404, {"detail": _("No such alert.")})
    unread = selectors.unread_ids(viewer=user, alert_ids=[alert.pk])
    audit_record(actor=user, action="view", target=alert, extra={"api": True})
    services.deliveries_mark_read(viewer=user, alert=alert)
    return {
        **_alert_out(alert, unread),
        "evidence": selectors.alert_evidence(viewer=user, alert=alert),
        "trail": [
            {
                "at": t.at,
                "kind": t.kind,
                "note": t.note,
                "actor": (t.actor.full_name or t.actor.get_username()) if t.actor else "",
            }
            for t in selectors.alert_trail(viewer=user, alert=alert)
        ],
    }


def _act(request, alert_id: int, action: str, note: str):
    user = _caller(request)
    if not user.has_role(*READERS):
        return _refuse(request, user)
    try:
        alert = _alert(user, alert_id)
    except Http404:
        return Status(404, {"detail": _("No such alert.")})
    try:
        alert = services.alert_act(actor=user, alert=alert, action=action, note=note)
    except PermissionDenied:
        return _refuse(
            request, user, message=_("Commanders, commune officers and investigators act on alerts.")
        )
    except services.AlertError as exc:
        return Status(409, {"detail": str(exc)})
    return Status(200, _alert_out(alert, selectors.unread_ids(viewer=user, alert_ids=[alert.pk])))


@router.post(
    "/{alert_id}/acknowledge",
    response={
        200: AlertsAlertOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="alerts_acknowledge",
    summary="Acknowledge an open alert (kept on its trail, audited)",
)
def acknowledge_alert(
    request: HttpRequest, payload: AlertsAcknowledgeIn, alert_id: int = Path(..., ge=1, le=MAX_ID)
):
    return _act(request, alert_id, "acknowledge", payload.note)


@router.post(
    "/{alert_id}/resolve",
    response={
        200: AlertsAlertOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="alerts_resolve",
    summary="Resolve an open or acknowledged alert, saying what was done",
)
def resolve_alert(request: HttpRequest, payload: AlertsResolveIn, alert_id: int = Path(..., ge=1, le=MAX_ID)):
    if not payload.note.strip():
        return _problem("note.required", _("Say what was done: a note is needed."), ["body", "note"])
    return _act(request, alert_id, "resolve", payload.note)

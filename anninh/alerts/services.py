"""Writes of the early warning: raising alerts from the rules' findings, telling the
subscribers, acknowledging and resolving, subscriptions, marking read, the daily digest.
Each write checks who acts, runs in one transaction and writes its audit row in it."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.alerts import rules as alert_rules
from anninh.alerts import texts
from anninh.alerts.models import (
    ALERT_READERS,
    LIVE_STATUSES,
    Alert,
    AlertAction,
    AlertKind,
    AlertStatus,
    Delivery,
    Subscription,
)
from anninh.audit.services import audit_record
from anninh.lib.dates import local_date
from anninh.records.models import OffenceGroup

logger = logging.getLogger(__name__)

#: A condition whose alert was raised less than this long ago raises no new one, even once
#: that alert is resolved: at most one alert per condition a week.
COOLDOWN = dt.timedelta(days=7)


class AlertError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


def _system(actor) -> dict:
    return {"actor": actor, "username": "system" if actor is None else ""}


# Running the rules ---------------------------------------------------------------------------


@dataclass
class RunResult:
    raised: list[Alert] = field(default_factory=list)
    grown: list[Alert] = field(default_factory=list)
    skipped: int = 0  # findings whose condition already has a live or recent alert
    delivered: int = 0
    failed: list[str] = field(default_factory=list)  # rules that raised an error (logged)


def alerts_run(
    *,
    now: dt.datetime | None = None,
    kinds: list[str] | None = None,
    settings_: alert_rules.RuleSettings = alert_rules.DEFAULT,
    is_synthetic: bool = False,
    deliver: bool = True,
) -> RunResult:
    """Run the rules once and raise what they find. Idempotent: a condition with a live alert
    (open or acknowledged) or one raised within `COOLDOWN` raises nothing new; a live alert
    whose condition now names more records (a fraud pattern growing, more reports due) gets
    them added to its evidence, with a trail entry. Runs as the system (audited as such)."""
    now = now or timezone.now()
    today = local_date(now)
    result = RunResult()
    for kind, rule in alert_rules.RULES.items():
        if kinds and kind not in kinds:
            continue
        try:
            findings = rule(today, settings_)
        except Exception:  # one broken rule must not silence the others; the log says why
            logger.exception("alert rule %s failed", kind)
            result.failed.append(str(kind))
            continue
        for finding in findings:
            _raise(finding, now, result, is_synthetic)
    if deliver:
        for alert in result.raised:
            result.delivered += deliver_alert(alert=alert, now=now)
    return result


def fraud_reevaluate(*, report_id: int, before: str, after: str, now: dt.datetime | None = None) -> RunResult:
    """A report's collector account was added, changed or removed after intake
    (anninh.records.services.reports.crime_report_collector_set): run the fraud rule at once
    for the two accounts, with the window ending now rather than at the start of today, so the
    new account's alert is raised (or grows) without waiting for the next run; and a live alert
    of the old account that lists the report drops it, with a trail entry (the scheduled run
    only ever adds). Runs as the system (audited as such); the raised alerts are delivered."""
    now = now or timezone.now()
    result = RunResult()
    accounts = {a for a in (before, after) if a}
    if not accounts:
        return result
    for finding in alert_rules.fraud_findings(local_date(now), accounts=accounts, until=now):
        _raise(finding, now, result, is_synthetic=False)
    if before and before != after:
        _drop_member(f"fraud:{before}", report_id, now)
    for alert in result.raised:
        result.delivered += deliver_alert(alert=alert, now=now)
    return result


def _drop_member(key: str, report_id: int, now: dt.datetime) -> None:
    with transaction.atomic():
        live = (
            Alert.objects.unrestricted()
            .select_for_update()
            .filter(condition_key=key, status__in=LIVE_STATUSES)
            .first()
        )
        if live is None or report_id not in live.evidence.get("members", []):
            return
        before = live.evidence
        members = [m for m in before["members"] if m != report_id]
        reports = [r for r in before.get("reports", []) if r.get("id") != report_id]
        live.evidence = {**before, "members": members, "reports": reports}
        live.save(update_fields=["evidence"])
        AlertAction.objects.create(
            alert=live,
            kind=AlertAction.Kind.WITHDRAWN,
            note=str(report_id),
            at=now,
        )
        audit_record(
            action="update",
            target=live,
            before={"members": before.get("members", [])},
            after={"members": members},
            **_system(None),
        )


def _raise(finding: alert_rules.Finding, now: dt.datetime, result: RunResult, is_synthetic: bool) -> None:
    with transaction.atomic():
        live = (
            Alert.objects.unrestricted()
            .select_for_update()
            .filter(condition_key=finding.key, status__in=LIVE_STATUSES)
            .first()
        )
        if live is not None:
            known = set(map(str, live.evidence.get("members", [])))
            new = [m for m in finding.members if str(m) not in known]
            if new:
                before = live.evidence
                live.evidence = {**finding.evidence, "members": finding.members}
                live.save(update_fields=["evidence"])
                AlertAction.objects.create(
                    alert=live, kind=AlertAction.Kind.EVIDENCE, note=", ".join(map(str, new))[:1000], at=now
                )
                audit_record(
                    action="update",
                    target=live,
                    before={"members": before.get("members", [])},
                    after={"members": finding.members},
                    **_system(None),
                )
                result.grown.append(live)
            else:
                result.skipped += 1
            return
        if (
            Alert.objects.unrestricted()
            .filter(condition_key=finding.key, raised_at__gt=now - COOLDOWN)
            .exists()
        ):
            result.skipped += 1
            return
        try:
            with transaction.atomic():
                alert = Alert.objects.create(
                    kind=finding.kind,
                    condition_key=finding.key,
                    commune_id=finding.commune,
                    unit_id=finding.unit_id,
                    offence_group=finding.offence_group,
                    title=finding.title[:300],
                    evidence={**finding.evidence, "members": finding.members},
                    score=finding.score,
                    raised_at=now,
                    is_synthetic=is_synthetic,
                )
        except IntegrityError:  # a concurrent run raised it first (the live-alert constraint)
            result.skipped += 1
            return
        AlertAction.objects.create(alert=alert, kind=AlertAction.Kind.RAISED, at=now)
        audit_record(
            action="create",
            target=alert,
            after={"kind": alert.kind, "key": alert.condition_key},
            **_system(None),
        )
        result.raised.append(alert)


def _may_read(user, alert: Alert) -> bool:
    if not user.is_active or not user.has_role(*ALERT_READERS):
        return False
    scope = scope_for(user)
    if user.has_role(Role.COMMANDER, Role.ANALYST):
        return True
    units = set(scope.unit_ids) | (
        {user.unit_id} if user.has_role(Role.COMMUNE_OFFICER) and user.unit_id else set()
    )
    return (alert.commune_id in scope.commune_codes) or (alert.unit_id is not None and alert.unit_id in units)


def deliver_alert(*, alert: Alert, now: dt.datetime | None = None) -> int:
    """Tell every subscriber whose subscription matches `alert` and who may read it (one
    delivery per user, whatever the number of subscriptions). Returns how many."""
    now = now or timezone.now()
    users: dict[int, object] = {}
    subs = Subscription.objects.unrestricted().select_related("user")
    User = get_user_model()
    for sub in subs:
        if not sub.matches(alert):
            continue
        if sub.unit_id:
            for member in User.objects.filter(unit_id=sub.unit_id, is_active=True):
                users.setdefault(member.pk, member)
        else:
            users.setdefault(sub.user_id, sub.user)
    rows = [
        Delivery(alert=alert, user_id=pk, delivered_at=now)
        for pk, user in users.items()
        if _may_read(user, alert)
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


# Acting on an alert ----------------------------------------------------------------------------

TRANSITIONS = {
    "acknowledge": ((AlertStatus.OPEN,), AlertStatus.ACKNOWLEDGED, AlertAction.Kind.ACKNOWLEDGE),
    "resolve": ((AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED), AlertStatus.RESOLVED, AlertAction.Kind.RESOLVE),
    "reopen": ((AlertStatus.RESOLVED,), AlertStatus.OPEN, AlertAction.Kind.REOPEN),
    "note": (tuple(AlertStatus), None, AlertAction.Kind.NOTE),
}
#: Who acts on alerts (analysts read them; acting is for those who command or hold the case).
ACTOR_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER, Role.INVESTIGATOR)


def alert_act(*, actor, alert: Alert, action: str, note: str = "", now: dt.datetime | None = None) -> Alert:
    """Acknowledge, resolve, reopen or annotate an alert the actor may read. Resolving needs a
    note (what was done); every step is kept on the trail and audited."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*ACTOR_ROLES):
        raise PermissionDenied
    if not _may_read(actor, alert):
        raise PermissionDenied
    if action not in TRANSITIONS:
        raise AlertError(_("Unknown action."))
    allowed, to_status, kind = TRANSITIONS[action]
    note = (note or "").strip()[:1000]
    if action in ("resolve", "note") and not note:
        raise AlertError(_("Say what was done: a note is needed."))
    with transaction.atomic():
        alert = Alert.objects.unrestricted().select_for_update().get(pk=alert.pk)
        if alert.status not in allowed:
            raise AlertError(
                _("This alert is %(status)s: it cannot be changed so.")
                % {"status": alert.get_status_display()}
            )
        before = {"status": alert.status}
        if to_status is not None:
            if (
                action == "reopen"
                and Alert.objects.unrestricted()
                .filter(condition_key=alert.condition_key, status__in=LIVE_STATUSES)
                .exclude(pk=alert.pk)
                .exists()
            ):
                raise AlertError(_("A newer alert for the same condition is open: follow that one."))
            alert.status = to_status
            if to_status == AlertStatus.ACKNOWLEDGED:
                alert.acknowledged_at, alert.acknowledged_by = now, actor
            elif to_status == AlertStatus.RESOLVED:
                alert.resolved_at, alert.resolved_by = now, actor
            alert.save()
        AlertAction.objects.create(alert=alert, kind=kind, note=note, actor=actor, at=now)
        audit_record(
            actor=actor,
            action="update",
            target=alert,
            before=before,
            after={"status": alert.status, "note": note},
        )
    return alert


def deliveries_mark_read(*, viewer, alert: Alert, now: dt.datetime | None = None) -> int:
    """The viewer has opened the alert: their delivery of it is read (not audited on its own:
    the page's view row says it)."""
    return (
        Delivery.objects.restrict(viewer)
        .filter(alert=alert, read_at__isnull=True)
        .update(read_at=now or timezone.now())
    )


# Subscriptions ---------------------------------------------------------------------------------

SUBSCRIBER_ROLES = tuple(ALERT_READERS)


def _subscription_values(*, actor, communes, offence_groups, kinds, for_unit: bool) -> dict:
    """The checked fields of a subscription of `actor`. Scoped: a commune officer subscribes
    to their own commune only (an empty choice means it); a city-wide reader to any commune;
    an investigator to their units' alerts (no commune)."""
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*SUBSCRIBER_ROLES):
        raise PermissionDenied
    scope = scope_for(actor)
    communes = sorted(set(communes))
    if not actor.has_role(Role.COMMANDER, Role.ANALYST):
        outside = set(communes) - set(scope.commune_codes)
        if outside:
            raise PermissionDenied
        if not communes:
            communes = sorted(scope.commune_codes)
    else:
        from anninh.geo.models import Commune

        known = set(Commune.objects.filter(code__in=communes).values_list("code", flat=True))
        if set(communes) - known:
            raise AlertError(_("Unknown commune."))
    if set(offence_groups) - set(OffenceGroup.values):
        raise AlertError(_("Unknown offence group."))
    if set(kinds) - set(AlertKind.values):
        raise AlertError(_("Unknown kind of alert."))
    if for_unit and (not actor.unit_id or not actor.has_role(Role.COMMANDER, Role.COMMUNE_OFFICER)):
        raise PermissionDenied
    return {
        "unit_id": actor.unit_id if for_unit else None,
        "communes": communes,
        "offence_groups": sorted(set(offence_groups)),
        "kinds": sorted(set(kinds)),
    }


def _subscription_audit(sub: Subscription) -> dict:
    return {
        "communes": sub.communes,
        "groups": sub.offence_groups,
        "kinds": sub.kinds,
        "unit": sub.unit_id,
        "digest": sub.digest,
    }


def subscription_create(
    *,
    actor,
    communes: list[str] | tuple[str, ...] = (),
    offence_groups: list[str] | tuple[str, ...] = (),
    kinds: list[str] | tuple[str, ...] = (),
    for_unit: bool = False,
    digest: bool = True,
) -> Subscription:
    """Subscribe the actor (or, with `for_unit`, their whole unit) to alerts, within their
    reach (`_subscription_values`)."""
    values = _subscription_values(
        actor=actor, communes=communes, offence_groups=offence_groups, kinds=kinds, for_unit=for_unit
    )
    with transaction.atomic():
        sub = Subscription.objects.create(user=actor, digest=digest, **values)
        audit_record(actor=actor, action="create", target=sub, after=_subscription_audit(sub))
    return sub


def subscription_update(
    *,
    actor,
    subscription: Subscription,
    communes: list[str] | tuple[str, ...] = (),
    offence_groups: list[str] | tuple[str, ...] = (),
    kinds: list[str] | tuple[str, ...] = (),
    for_unit: bool = False,
    digest: bool = True,
) -> Subscription:
    """Replace what a subscription asks for (its owner only; checked as when it was made)."""
    if not getattr(actor, "is_authenticated", False) or subscription.user_id != actor.pk:
        raise PermissionDenied
    values = _subscription_values(
        actor=actor, communes=communes, offence_groups=offence_groups, kinds=kinds, for_unit=for_unit
    )
    with transaction.atomic():
        sub = Subscription.objects.unrestricted().select_for_update().get(pk=subscription.pk)
        before = _subscription_audit(sub)
        for name, value in {**values, "digest": digest}.items():
            setattr(sub, name, value)
        sub.save()
        audit_record(actor=actor, action="update", target=sub, before=before, after=_subscription_audit(sub))
    return sub


def subscription_delete(*, actor, subscription: Subscription) -> None:
    """Only the subscription's owner ends it (a unit's members see it but do not end it)."""
    if not getattr(actor, "is_authenticated", False) or subscription.user_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=actor, action="delete", target=subscription, before={"communes": subscription.communes}
        )
        subscription.delete()


# The daily digest ------------------------------------------------------------------------------


def alerts_digest(*, now: dt.datetime | None = None, language: str | None = None) -> int:
    """E-mail each user with an address the alerts delivered to them and not e-mailed yet,
    for their subscriptions that ask for the digest; returns how many e-mails were sent.
    A user without an e-mail address keeps the deliveries for the bell."""
    now = now or timezone.now()
    digest_users = set(
        Subscription.objects.unrestricted().filter(digest=True).values_list("user_id", flat=True)
    )
    unit_subs = (
        Subscription.objects.unrestricted()
        .filter(digest=True, unit__isnull=False)
        .values_list("unit_id", flat=True)
    )
    User = get_user_model()
    digest_users |= set(User.objects.filter(unit_id__in=list(unit_subs)).values_list("pk", flat=True))
    pending = (
        Delivery.objects.unrestricted()
        .filter(emailed_at__isnull=True, user_id__in=digest_users)
        .select_related("alert", "alert__commune", "user")
        .order_by("user_id", "alert__kind", "-alert__raised_at")
    )
    by_user: dict[int, list[Delivery]] = {}
    for d in pending:
        by_user.setdefault(d.user_id, []).append(d)
    sent = 0
    for deliveries in by_user.values():
        user = deliveries[0].user
        if not user.email or not user.is_active:
            continue
        with translation.override(language or settings.LANGUAGE_CODE):
            alerts = [d.alert for d in deliveries]
            for a in alerts:
                a.headline = texts.headline(a)
            context = {
                "user": user,
                "alerts": alerts,
                "today": local_date(now),
                "base_url": getattr(settings, "ANNINH_BASE_URL", ""),
            }
            subject = _("anninh: %(n)d new alerts") % {"n": len(deliveries)}
            body = render_to_string("alerts/digest.txt", context)
        with transaction.atomic():
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            Delivery.objects.unrestricted().filter(pk__in=[d.pk for d in deliveries]).update(emailed_at=now)
            audit_record(
                action="update",
                object_type="alerts.digest",
                object_id=str(user.pk),
                object_repr=f"digest to {user.username}",
                after={"alerts": [d.alert_id for d in deliveries]},
                **_system(None),
            )
        sent += 1
    return sent

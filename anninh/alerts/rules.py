"""The early-warning rules: each reads the records as system work (every row: an alert is then
shown only to those who may read it) and returns what it found as `Finding`s; the service
(`anninh.alerts.services.alerts_run`) raises them, at most one live alert per condition.

Windows end at the start of `today` (Vietnam): whole days only, so a run at 06:00 and one at
18:00 see the same data and find the same conditions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.apps import apps
from django.db.models import Count, Q
from django.db.models.functions import Coalesce, Greatest

from anninh.alerts import detect
from anninh.alerts.models import AlertKind
from anninh.analytics.knox import KnoxError, knox_test
from anninh.geo.geometry import to_metres_xy
from anninh.lib.dates import local_day_bounds
from anninh.records.deadlines import DEFAULT_RULES
from anninh.records.models import (
    CrimeReport,
    Incident,
    IncidentKind,
    OffenceGroup,
)


@dataclass
class Finding:
    kind: str
    key: str  # the condition: one live alert per key
    title: str  # English fallback; pages describe the alert from `evidence` in the reader's language
    evidence: dict
    commune: str | None = None
    unit_id: int | None = None
    offence_group: str = ""
    score: float = 0.0
    #: Record ids behind the finding: a live alert whose finding names new ones grows (trail).
    members: list = field(default_factory=list)


@dataclass(frozen=True)
class RuleSettings:
    # Rises: the last 7 days against the 28 before them (a month's rate: steadier than last week).
    rise_days: int = 7
    rise_baseline_days: int = 28
    alpha: float = 0.05
    fdr: bool = True
    rise_min_current: int = 3
    # Near repeats: burglaries and robberies of the last 14 days chained within 200 m and 7 days.
    nr_window_days: int = 14
    nr_distance_m: float = 200.0
    nr_days: float = 7.0
    nr_min_size: int = 3
    nr_knox_days: int = 365  # the city-wide Knox test that says near repeats happen here at all
    nr_knox_permutations: int = 99
    require_knox: bool = True
    # Fraud: the same collector account in this many victims' reports of the last 90 days, one new.
    fraud_window_days: int = 90
    fraud_new_days: int = 7
    fraud_min_reports: int = 3
    # Deadlines: reports due within this many days (today included).
    deadline_days: int = DEFAULT_RULES.due_soon_days
    # Event risks: changes of the last day.
    event_days: int = 1


DEFAULT = RuleSettings()

#: "Burglary or robbery": robbery (168), extortion by force (169), snatching (171), and theft
#: (173) from a home (there is no burglary article in the Penal Code: a burglary is a theft at
#: a home or apartment).
ROBBERY_ARTICLES = ("168", "169", "171")
BURGLARY_ARTICLES = ("173",)
HOME_PREMISES = ("home", "apartment")


def _bounds(today: dt.date, days_back: int, days_to: int = 0) -> tuple[dt.datetime, dt.datetime]:
    return local_day_bounds(today - dt.timedelta(days=days_back))[0], local_day_bounds(
        today - dt.timedelta(days=days_to)
    )[0]


# Rises ---------------------------------------------------------------------------------------


def rise_findings(today: dt.date, s: RuleSettings = DEFAULT) -> list[Finding]:
    """Communes whose crimes (all, or of one offence group) rose significantly in the last
    `rise_days` against the rate of the `rise_baseline_days` before, after the FDR correction
    across communes (one family per offence group and one for all crimes). One finding per
    commune, naming every group that rose."""
    start, middle = _bounds(today, s.rise_days + s.rise_baseline_days, s.rise_days)
    _, end = _bounds(today, s.rise_days)
    rows = (
        Incident.objects.unrestricted()
        .filter(
            kind=IncidentKind.CRIME, occurred_from__gte=start, occurred_from__lt=end, commune__isnull=False
        )
        .values("commune_id", "offence_group")
        .annotate(
            cur=Count("id", filter=Q(occurred_from__gte=middle)),
            base=Count("id", filter=Q(occurred_from__lt=middle)),
        )
        .order_by()
    )
    families: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for r in rows:
        for family in ("", r["offence_group"]):
            if family == "" or family in OffenceGroup.values:
                cell = families[family][r["commune_id"]]
                cell[0] += r["cur"]
                cell[1] += r["base"]
    by_commune: dict[str, list[tuple[str, detect.Rise]]] = defaultdict(list)
    for family, counts in families.items():
        rises = detect.significant_rises(
            {k: tuple(v) for k, v in counts.items()},
            s.rise_days,
            s.rise_baseline_days,
            alpha=s.alpha,
            fdr=s.fdr,
            min_current=s.rise_min_current,
        )
        for rise in rises:
            by_commune[rise.key].append((family, rise))
    first = today - dt.timedelta(days=s.rise_days)
    out = []
    for commune, found in by_commune.items():
        found.sort(key=lambda fr: (fr[1].p_value, fr[0]))
        strongest_group = next((g for g, _r in found if g), "")
        best = found[0][1]
        out.append(
            Finding(
                kind=AlertKind.RISE,
                key=f"rise:{commune}",
                title=f"Significant rise of crime in {commune}",
                commune=commune,
                offence_group=strongest_group,
                score=best.p_value,
                evidence={
                    "first": first.isoformat(),
                    "last": (today - dt.timedelta(days=1)).isoformat(),
                    "days": s.rise_days,
                    "baseline_days": s.rise_baseline_days,
                    "fdr": s.fdr,
                    "alpha": s.alpha,
                    "tests": {g or "all": len(families[g]) for g in families},
                    "rises": [
                        {
                            "group": g,
                            "current": r.current,
                            "baseline": r.baseline,
                            "expected": round(r.expected, 2),
                            "p_value": r.p_value,
                        }
                        for g, r in found
                    ],
                },
            )
        )
    out.sort(key=lambda f: f.score)
    return out


# Near repeats --------------------------------------------------------------------------------


def _burglary_robbery_q() -> Q:
    main = Q(offence_links__is_main=True)
    return (
        Q(kind=IncidentKind.CRIME)
        & main
        & (
            Q(offence_links__offence__article__in=ROBBERY_ARTICLES)
            | Q(offence_links__offence__article__in=BURGLARY_ARTICLES, premises__in=HOME_PREMISES)
        )
    )


def _events(since: dt.datetime, until: dt.datetime):
    return list(
        Incident.objects.unrestricted()
        .filter(_burglary_robbery_q(), occurred_from__gte=since, occurred_from__lt=until, lat__isnull=False)
        .order_by("id")
        .values_list("id", "number", "commune_id", "lat", "lon", "occurred_from")
        .distinct()
    )


def knox_evidence(today: dt.date, s: RuleSettings = DEFAULT) -> dict | None:
    """The city-wide Knox test on the burglaries and robberies of the last `nr_knox_days`:
    the ratio and p-value of pairs within `nr_distance_m` and `nr_days` (None: too few)."""
    since, until = _bounds(today, s.nr_knox_days)
    rows = _events(since, until)
    if len(rows) < 10:
        return None
    lat = np.array([r[3] for r in rows])
    lon = np.array([r[4] for r in rows])
    t = np.array([r[5].timestamp() / 86400.0 for r in rows])
    x, y = to_metres_xy(lon, lat)
    try:
        result = knox_test(
            x,
            y,
            t,
            [0.0, s.nr_distance_m, 2 * s.nr_distance_m],
            [0.0, s.nr_days, 2 * s.nr_days],
            n_permutations=s.nr_knox_permutations,
        )
    except KnoxError:
        return None
    ratio = float(result.ratio[0, 0]) if np.isfinite(result.ratio[0, 0]) else None
    return {
        "events": int(result.n_events),
        "observed": int(result.observed[0, 0]),
        "expected": float(result.expected[0, 0]),
        "ratio": ratio,
        "p_value": float(result.p_value[0, 0]),
        "significant": bool(result.significant(s.alpha)[0, 0]),
        "days": s.nr_knox_days,
    }


def near_repeat_findings(
    today: dt.date, s: RuleSettings = DEFAULT, knox: dict | None = None
) -> list[Finding]:
    """Chains of at least `nr_min_size` burglaries or robberies of the last `nr_window_days`,
    each within `nr_distance_m` and `nr_days` of the next, with one in the last `nr_days`
    (forming, not past), in places where the Knox test finds near repeats at all."""
    if s.require_knox:
        knox = knox if knox is not None else knox_evidence(today, s)
        if not knox or not knox["significant"]:
            return []
    since, until = _bounds(today, s.nr_window_days)
    rows = _events(since, until)
    if len(rows) < s.nr_min_size:
        return []
    lat = np.array([r[3] for r in rows])
    lon = np.array([r[4] for r in rows])
    t = np.array([r[5].timestamp() / 86400.0 for r in rows])
    x, y = to_metres_xy(lon, lat)
    recent = local_day_bounds(today - dt.timedelta(days=int(s.nr_days)))[0].timestamp() / 86400.0
    out = []
    seen_communes = set()
    for cluster in detect.space_time_clusters(
        x, y, t, distance_m=s.nr_distance_m, days=s.nr_days, min_size=s.nr_min_size
    ):
        if t[cluster].max() < recent:
            continue
        communes = [rows[i][2] for i in cluster]
        commune = max(set(communes), key=lambda c: (communes.count(c), c or ""))
        if commune in seen_communes:
            continue  # one cluster alert per commune and run: the largest
        seen_communes.add(commune)
        out.append(
            Finding(
                kind=AlertKind.NEAR_REPEAT,
                key=f"near_repeat:{commune}",
                title=f"Near-repeat cluster of burglaries and robberies in {commune}",
                commune=commune,
                offence_group=OffenceGroup.PROPERTY.value,
                score=-len(cluster),
                members=[rows[i][0] for i in cluster],
                evidence={
                    "incidents": [
                        {
                            "id": rows[i][0],
                            "number": rows[i][1],
                            "commune": rows[i][2],
                            "at": rows[i][5].isoformat(),
                        }
                        for i in sorted(cluster, key=lambda i: t[i])
                    ],
                    "centre": [float(lat[cluster].mean()), float(lon[cluster].mean())],
                    "distance_m": s.nr_distance_m,
                    "days": s.nr_days,
                    "knox": knox,
                },
            )
        )
    return out


# Fraud -----------------------------------------------------------------------------------------


def fraud_findings(
    today: dt.date,
    s: RuleSettings = DEFAULT,
    *,
    accounts: set[str] | None = None,
    until: dt.datetime | None = None,
) -> list[Finding]:
    """The same collector account (the account victims paid into, `CrimeReport.
    collector_account`, normalised: "VCB:0123456789") in at least `fraud_min_reports`
    victims' crime reports of the last `fraud_window_days`, one of them of the last
    `fraud_new_days` (a pattern that grows, not an old one). Every report naming an account
    counts, classified or not: a scam's first reports are often not classified yet. A report
    counts from when it named the account: its receipt, or the later day an officer added or
    changed the account (`collector_account_named_at`), so a victim who finds the transfer slip
    a month after the complaint is a new victim for the ring. One finding per account; the
    alert's commune is the newest report's.

    `accounts` and `until` are for re-evaluating at once after an account was changed
    (anninh.alerts.services.fraud_reevaluate): only those accounts, with the window ending at
    `until` rather than at the start of `today`."""
    since, end = _bounds(today, s.fraud_window_days)
    until = until or end
    new_from = local_day_bounds(today - dt.timedelta(days=s.fraud_new_days))[0]
    rows = CrimeReport.objects.unrestricted().exclude(collector_account="")
    if accounts is not None:
        rows = rows.filter(collector_account__in=sorted(accounts))
    rows = (
        # The OR keeps the receipt's index in play; `seen` then says exactly when it counts.
        rows.filter(Q(received_at__gte=since) | Q(collector_account_named_at__gte=since))
        .annotate(seen=Greatest("received_at", Coalesce("collector_account_named_at", "received_at")))
        .filter(seen__gte=since, seen__lt=until)
        .order_by("seen", "id")
        .values_list("id", "register_number", "commune_id", "received_at", "seen", "collector_account")
    )
    by_account: dict[str, list[dict]] = defaultdict(list)
    for pk, number, commune, at, seen, account in rows:
        by_account[account].append({"id": pk, "ref": number, "commune": commune, "at": at, "seen": seen})
    out = []
    for account, reports in sorted(by_account.items()):
        if len(reports) < s.fraud_min_reports or reports[-1]["seen"] < new_from:
            continue
        bank, _colon, number = account.partition(":")
        out.append(
            Finding(
                kind=AlertKind.FRAUD,
                key=f"fraud:{account}",
                title=f"The same collector account in {len(reports)} victims' reports",
                commune=reports[-1]["commune"],
                offence_group=OffenceGroup.FRAUD.value,
                score=-len(reports),
                members=[r["id"] for r in reports],
                evidence={
                    "identifier_kind": "account",
                    "identifier": account,
                    "bank": bank,
                    "reports": [_fraud_report(r) for r in reports],
                    "communes": sorted({r["commune"] for r in reports if r["commune"]}),
                    "window_days": s.fraud_window_days,
                    "new_days": s.fraud_new_days,
                },
            )
        )
    return out


def _fraud_report(r: dict) -> dict:
    out = {"id": r["id"], "ref": r["ref"], "commune": r["commune"], "at": r["at"].isoformat()}
    if r["seen"] != r["at"]:  # the account was named after the receipt
        out["named_at"] = r["seen"].isoformat()
    return out


# Deadlines -------------------------------------------------------------------------------------


def deadline_findings(today: dt.date, s: RuleSettings = DEFAULT) -> list[Finding]:
    """Per handling unit, the crime reports whose decision is due within `deadline_days`
    (today included) and not taken yet (`due_on` is stored by the records' clock,
    anninh.records.deadlines; it is empty once decided or suspended)."""
    last = today + dt.timedelta(days=s.deadline_days)
    rows = (
        CrimeReport.objects.unrestricted()
        .filter(due_on__gte=today, due_on__lte=last, decided_on__isnull=True)
        .select_related("handling_unit")
        .order_by("due_on", "id")
    )
    by_unit: dict[int, list[CrimeReport]] = defaultdict(list)
    for r in rows:
        by_unit[r.handling_unit_id].append(r)
    out = []
    for unit_id, reports in by_unit.items():
        unit = reports[0].handling_unit
        communes = {r.commune_id for r in reports}
        commune = unit.commune_id or (communes.pop() if len(communes) == 1 else None)
        out.append(
            Finding(
                kind=AlertKind.DEADLINE,
                key=f"deadline:{unit_id}",
                title=f"{len(reports)} crime reports due within {s.deadline_days} days",
                commune=commune,
                unit_id=unit_id,
                score=(reports[0].due_on - today).days,
                members=[r.pk for r in reports],
                evidence={
                    "reports": [
                        {
                            "id": r.pk,
                            "number": r.register_number,
                            "due_on": r.due_on.isoformat(),
                            "commune": r.commune_id,
                        }
                        for r in reports
                    ],
                    "days": s.deadline_days,
                },
            )
        )
    return out


# Event risks (the events app, when installed) -----------------------------------------------------


#: Statuses of a resolved risk (anninh.events.models.RiskStatus).
RESOLVED_RISK = ("mitigated", "closed")


def event_risk_findings(today: dt.date, s: RuleSettings = DEFAULT) -> list[Finding]:
    """Risks of an event that got worse in the last `event_days`, read from the events app's
    risk history (`events.RiskChange`, one row per version): a new risk in the register, a
    level (likelihood × impact) raised, or a risk reopened (from mitigated or closed). A risk
    that is resolved (mitigated or closed), lowered, or changed in nothing that matters (its
    owner, its wording) raises nothing: commanders are told of what needs them. Nothing when
    the events app is not installed."""
    if not apps.is_installed("anninh.events"):
        return []
    try:
        RiskChange = apps.get_model("events", "RiskChange")
    except LookupError:
        return []
    since, until = _bounds(today, s.event_days, -1)
    changes = list(
        _all(RiskChange)
        .filter(changed_at__gte=since, changed_at__lt=until)
        .select_related("risk__event")
        .order_by("risk_id", "version")
    )
    out = []
    for change in changes:
        previous = (
            _all(RiskChange)
            .filter(risk_id=change.risk_id, version__lt=change.version)
            .order_by("-version")
            .first()
        )
        level = change.likelihood * change.impact
        before = previous.likelihood * previous.impact if previous else None
        if change.status in RESOLVED_RISK:
            continue  # resolved: nothing to warn of
        reopened = previous is not None and previous.status in RESOLVED_RISK
        if previous is not None and not reopened and level <= before:
            continue  # unchanged, lowered, or another field changed
        event = change.risk.event
        venue = event.venues.order_by("name").first() if hasattr(event, "venues") else None
        out.append(
            Finding(
                kind=AlertKind.EVENT_RISK,
                key=f"event_risk:{change.risk_id}:{change.version}",
                title=f"Risk changed at {event}: {change.threat}",
                commune=venue.commune_id if venue else None,
                unit_id=getattr(event, "lead_unit_id", None),
                score=-level,
                evidence={
                    "event": event.pk,
                    "event_name": str(event),
                    "risk": change.risk_id,
                    "threat": change.threat,
                    "level": level,
                    "level_before": before,
                    "status": change.status,
                    "status_before": previous.status if previous else None,
                    "note": getattr(change, "note", ""),
                },
            )
        )
    return out


def _all(model):
    """Every row of another app's model (system work), through its door when it has one."""
    manager = model._default_manager
    return manager.unrestricted() if hasattr(manager, "unrestricted") else manager.all()


RULES = {
    AlertKind.RISE: rise_findings,
    AlertKind.NEAR_REPEAT: near_repeat_findings,
    AlertKind.FRAUD: fraud_findings,
    AlertKind.DEADLINE: deadline_findings,
    AlertKind.EVENT_RISK: event_risk_findings,
}

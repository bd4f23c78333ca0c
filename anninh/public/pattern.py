"""Drafting a warning from a pattern the records show: the communes where frauds through
telephone and the internet rose significantly in the last four weeks against the four before
(the same exact Poisson test and Benjamini–Hochberg correction as CompStat's rising
communes), and a draft warning with those numbers filled in, for the press officer to finish.

Reads go through the records' selectors with the viewer's scope; the draft is written by the
warning service (audited)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.analytics.gistar import benjamini_hochberg
from anninh.analytics.significance import ALPHA, compare_counts
from anninh.geo.models import Commune
from anninh.lib.dates import format_date_vn, local_date, local_day_bounds
from anninh.public import services
from anninh.public.models import ScamWarning, Severity, Trick
from anninh.records.models import IncidentKind, OffenceGroup
from anninh.records.selectors.incidents import incident_base

#: Who may look at the pattern: it counts crimes, which press officers do not read.
PATTERN_ROLES = (Role.COMMANDER,)
FRAUD_GROUPS = (OffenceGroup.FRAUD, OffenceGroup.CYBER)
WINDOW_DAYS = 28
MAX_COMMUNES = 10


@dataclass(frozen=True)
class CommuneRise:
    code: str
    name: str
    current: int
    previous: int
    p_value: float


@dataclass(frozen=True)
class FraudPattern:
    first: dt.date  # the window's first and last day (Vietnam), both counted
    last: dt.date
    days: int
    rising: list[CommuneRise]

    @property
    def current(self) -> int:
        return sum(r.current for r in self.rising)

    @property
    def previous(self) -> int:
        return sum(r.previous for r in self.rising)


def fraud_pattern(*, viewer, today: dt.date | None = None, days: int = WINDOW_DAYS) -> FraudPattern:
    """Communes with a significant rise of frauds (fraud and cyber offence groups) in the
    `days` complete days before `today` against the `days` before them, strongest first."""
    today = today or local_date(timezone.now())
    last = today - dt.timedelta(days=1)
    first = today - dt.timedelta(days=days)
    before = first - dt.timedelta(days=days)
    start, _end = local_day_bounds(before)
    middle, _ = local_day_bounds(first)
    end, _ = local_day_bounds(today)
    rows = (
        incident_base(viewer=viewer)
        .filter(
            kind=IncidentKind.CRIME,
            offence_group__in=[g.value for g in FRAUD_GROUPS],
            occurred_from__gte=start,
            occurred_from__lt=end,
            commune__isnull=False,
        )
        .values("commune_id")
        .annotate(
            current=Count("id", filter=_after(middle)),
            previous=Count("id", filter=~_after(middle)),
        )
        .order_by()
    )
    counts = {r["commune_id"]: (r["current"], r["previous"]) for r in rows}
    tested = sorted(code for code, (c, p) in counts.items() if c or p)
    changes = {code: compare_counts(*counts[code], days, days) for code in tested}
    passed = benjamini_hochberg([changes[c].p_value for c in tested], ALPHA) if tested else []
    names = dict(Commune.objects.filter(code__in=tested).values_list("code", "name"))
    rising = [
        CommuneRise(code, names.get(code, code), counts[code][0], counts[code][1], changes[code].p_value)
        for code, ok in zip(tested, passed, strict=True)
        if ok and counts[code][0] > counts[code][1]
    ]
    rising.sort(key=lambda r: (r.p_value, -(r.current - r.previous), r.code))
    return FraudPattern(first=first, last=last, days=days, rising=rising[:MAX_COMMUNES])


def _after(moment) -> Q:
    return Q(occurred_from__gte=moment)


def _texts(pattern: FraudPattern, language: str) -> dict[str, str]:
    with translation.override(language):
        places = ", ".join(
            _("%(commune)s (%(previous)s → %(current)s)")
            % {
                "commune": r.name,
                "previous": formats.number_format(r.previous, force_grouping=True),
                "current": formats.number_format(r.current, force_grouping=True),
            }
            for r in pattern.rising
        )
        if len(pattern.rising) <= 3:
            where = ", ".join(r.name for r in pattern.rising)
        else:
            where = _("%(count)d communes") % {"count": len(pattern.rising)}
        numbers = {
            "first": format_date_vn(pattern.first),
            "last": format_date_vn(pattern.last),
            "current": formats.number_format(pattern.current, force_grouping=True),
            "previous": formats.number_format(pattern.previous, force_grouping=True),
            "days": pattern.days,
            "places": places,
        }
        return {
            "title": (_("Rise in telephone and online fraud in %(where)s") % {"where": where})[:200],
            "recognise": _(
                "From %(first)s to %(last)s the police recorded %(current)s frauds by telephone and "
                "over the internet in %(places)s, against %(previous)s in the %(days)d days before. "
                "Scammers call or send messages pretending to be police, a bank or an employer, and "
                "ask for a transfer, a one-time code or an app to be installed."
            )
            % numbers,
            "action": _(
                "Do not transfer money, give one-time codes or install apps at a stranger's request. "
                "Check by calling the hotline or at your commune police. If you have already "
                "transferred money, call your bank at once and report to the police."
            ),
        }


def warning_draft_from_pattern(
    *, actor, pattern: FraudPattern, trick: str = Trick.OTHER, now: dt.datetime | None = None
) -> ScamWarning:
    """A draft warning for the rising communes, with the numbers filled in in both languages
    (the press officer then edits and sends it for approval)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_role(*PATTERN_ROLES):
        raise PermissionDenied
    if not pattern.rising:
        raise services.WarningError(_("No commune shows a significant rise: there is nothing to warn of."))
    now = now or timezone.now()
    vi, en = _texts(pattern, "vi"), _texts(pattern, "en")
    start, _end = local_day_bounds(local_date(now))
    return services.warning_create(
        actor=actor,
        data=services.WarningInput(
            trick=trick,
            severity=Severity.MODERATE,
            title_vi=vi["title"],
            title_en=en["title"],
            recognise_vi=vi["recognise"],
            recognise_en=en["recognise"],
            action_vi=vi["action"],
            action_en=en["action"],
            commune_codes=[r.code for r in pattern.rising],
            valid_from=start,
            valid_until=start + dt.timedelta(days=30),
        ),
    )

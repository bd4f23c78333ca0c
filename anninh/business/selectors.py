"""Reading dialogue records, always through the scoping door (`restrict(viewer)`): staff see
what their role and unit reach; a business account sees its own business only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from anninh.business import clock
from anninh.business.models import (
    Business,
    BusinessAccount,
    DialogueMeeting,
    IndustrialPark,
    Recommendation,
    RecommendationStatus,
)

OPEN_STATUSES = (RecommendationStatus.RECEIVED, RecommendationStatus.ASSIGNED, RecommendationStatus.ANSWERED)


def business_of(user) -> Business | None:
    """The business a business account speaks for (None for anyone else)."""
    if not (user and user.is_authenticated):
        return None
    link = BusinessAccount.objects.select_related("business").filter(user_id=user.pk).first()
    return link.business if link else None


def park_list() -> QuerySet:
    # Industrial parks are public reference data (names and places), not records.
    return IndustrialPark.objects.select_related("commune").order_by("name")


def business_list(*, viewer, q: str = "", ownership: str = "", park: int | None = None) -> QuerySet:
    qs = Business.objects.restrict(viewer).select_related("commune", "park")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(tax_code__startswith=q.replace(" ", "")))
    if ownership:
        qs = qs.filter(ownership=ownership)
    if park:
        qs = qs.filter(park_id=park)
    return qs.annotate(
        open_count=Count("recommendations", filter=Q(recommendations__status__in=OPEN_STATUSES))
    )


def business_scope(*, viewer) -> QuerySet:
    return Business.objects.restrict(viewer).select_related("commune", "park")


def account_scope(*, viewer) -> QuerySet:
    """Business accounts, through the businesses the viewer may read."""
    return BusinessAccount.objects.filter(
        business__in=business_scope(viewer=viewer).values("pk")
    ).select_related("user", "business")


def business_accounts(*, viewer, business) -> QuerySet:
    """The accounts of one business the viewer may read: active first, then by user name."""
    return (
        account_scope(viewer=viewer).filter(business=business).order_by("-user__is_active", "user__username")
    )


def meeting_list(*, viewer) -> QuerySet:
    return (
        DialogueMeeting.objects.restrict(viewer)
        .select_related("commune", "park", "organising_unit")
        .annotate(rec_count=Count("recommendations", distinct=True))
        .order_by("-held_on", "-id")
    )


def meeting_scope(*, viewer) -> QuerySet:
    return DialogueMeeting.objects.restrict(viewer).select_related("commune", "park", "organising_unit")


def recommendation_scope(*, viewer) -> QuerySet:
    return Recommendation.objects.restrict(viewer).select_related(
        "business", "meeting", "assigned_unit", "answered_by", "resolved_by"
    )


def recommendation_list(
    *,
    viewer,
    status: str = "",
    unit: int | None = None,
    overdue: bool = False,
    business: int | None = None,
    meeting: int | None = None,
) -> QuerySet:
    qs = recommendation_scope(viewer=viewer)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(assigned_unit_id=unit)
    if business:
        qs = qs.filter(business_id=business)
    if meeting:
        qs = qs.filter(meeting_id=meeting)
    if overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=timezone.localdate())
    return qs.order_by("status", "due_on", "id")


def with_clock(recommendations, *, today: dt.date | None = None) -> list[Recommendation]:
    """The recommendations, each with `clock` set to its state (anninh.business.clock)."""
    today = today or timezone.localdate()
    out = list(recommendations)
    for rec in out:
        rec.clock = clock.clock_state(due_on=rec.due_on, resolved_on=rec.resolved_on, today=today)
    return out


def own_recommendations(*, viewer) -> list[Recommendation]:
    """A business account's recommendations (the door keeps it to its own business)."""
    qs = (
        Recommendation.objects.restrict(viewer)
        .select_related("meeting", "assigned_unit")
        .order_by("-meeting__held_on", "id")
    )
    return with_clock(qs)


# --- The indicator o311's service-indicator page and the CompStat report read -------------------


def resolved_on_time_by_unit_month(
    *, viewer=None, first_month: dt.date, last_month: dt.date, today: dt.date | None = None
) -> list[clock.OnTimeCount]:
    """Recommendations resolved on time, by responsible unit and month of their due date,
    for the months `first_month`..`last_month` (any day in them). Each row counts the
    recommendations whose result is known (resolved, or past due and still open), see
    anninh.business.clock.on_time_by_unit_month; `rate` is on time / known.

    `viewer`: the staff member reading (their need-to-know applies); None only for system
    aggregates (the CompStat weekly report for the city), which count every unit: counts by
    unit carry no business's name or text.
    """
    today = today or timezone.localdate()
    start = first_month.replace(day=1)
    end = clock.month_of(last_month)
    end = (end + dt.timedelta(days=32)).replace(day=1)
    base = (
        Recommendation.objects.unrestricted() if viewer is None else Recommendation.objects.restrict(viewer)
    )
    rows = base.filter(assigned_unit__isnull=False, due_on__gte=start, due_on__lt=end).values_list(
        "assigned_unit_id", "due_on", "resolved_on"
    )
    return clock.on_time_by_unit_month(rows, today=today)


def recommendations_on_time(first: dt.date, last: dt.date, unit_ids: set[int] | None):
    """The service indicators' source (anninh.requests.indicators.register_source): one
    (unit id, due date, resolved on time: bool | None) per assigned recommendation due between
    `first` and `last` of the units `unit_ids` (None: every unit). A system aggregate: the
    caller has already limited `unit_ids` to the viewer's reach, and no row leaves this
    function but its unit, date and outcome."""
    today = timezone.localdate()
    qs = Recommendation.objects.unrestricted().filter(
        assigned_unit__isnull=False, due_on__gte=first, due_on__lte=last
    )
    if unit_ids is not None:
        qs = qs.filter(assigned_unit_id__in=unit_ids)
    for unit_id, due_on, resolved_on in qs.values_list("assigned_unit_id", "due_on", "resolved_on"):
        state = clock.clock_state(due_on=due_on, resolved_on=resolved_on, today=today)
        if state == clock.RESOLVED_ON_TIME:
            yield unit_id, due_on, True
        elif state in (clock.RESOLVED_LATE, clock.OVERDUE):
            yield unit_id, due_on, False
        else:
            yield unit_id, due_on, None

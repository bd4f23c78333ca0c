"""Reading warnings. The public reads published and withdrawn warnings only (one condition,
`_public()`, used by every public page and feed); staff read drafts through the scoping door
(`ScamWarning.objects.restrict(viewer)`)."""

from __future__ import annotations

from django.db.models import Max, Prefetch, Q, QuerySet
from django.utils import timezone

from anninh.geo.models import Commune
from anninh.lib.text import fold
from anninh.public.models import PUBLIC_STATUSES, CapMessage, ScamWarning, WarningStatus

PAGE_SIZE = 20


def _public() -> QuerySet:
    # Published or withdrawn warnings are public by definition: no viewer to scope by.
    return (
        ScamWarning.objects.unrestricted()
        .filter(status__in=PUBLIC_STATUSES)
        .prefetch_related(Prefetch("communes", queryset=Commune.objects.only("code", "name", "sort_key")))
    )


def in_force_q(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=WarningStatus.PUBLISHED, valid_from__lte=now, valid_until__gt=now)


def public_warning_list(
    *, trick: str = "", commune: str = "", q: str = "", include_past: bool = False
) -> QuerySet:
    """Warnings for residents: those in force (or every public one with `include_past`),
    by trick, by commune (a commune's own warnings and the city-wide ones), by words."""
    qs = _public()
    if not include_past:
        qs = qs.filter(in_force_q())
    if trick:
        qs = qs.filter(trick=trick)
    if commune:
        qs = qs.filter(Q(whole_city=True) | Q(communes__code=commune)).distinct()
    for word in fold(q).split()[:8]:
        qs = qs.filter(search_key__contains=word)
    return qs.order_by("-published_at", "-id")


def public_warning_get(*, pk: int) -> ScamWarning | None:
    return _public().filter(pk=pk).first()


def cap_messages(*, warning: ScamWarning) -> list[CapMessage]:
    return list(CapMessage.objects.filter(warning=warning).order_by("sequence"))


def feed_warnings(*, limit: int = 50) -> list[ScamWarning]:
    """The public warnings whose last CAP message is newest, each with `last_sent` and
    `last_sequence` (the number of its last message)."""
    qs = _public().annotate(last_sent=Max("messages__sent_at"), last_sequence=Max("messages__sequence"))
    return list(qs.order_by("-last_sent", "-id")[:limit])


def staff_warning_list(*, viewer, status: str = "") -> QuerySet:
    qs = ScamWarning.objects.restrict(viewer).select_related("drafted_by", "approved_by")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at", "-id")


def staff_warning_scope(*, viewer) -> QuerySet:
    return ScamWarning.objects.restrict(viewer)

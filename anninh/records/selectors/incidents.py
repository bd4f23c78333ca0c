"""Reading incidents, always scoped to what the viewer may see (anninh.records.scoping).

`incident_list(viewer=, filters=)` is the one entry point for lists: the page, the API, the
map layer and exports all call it, so a commune officer never sees another commune's
incidents whichever way they ask.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from anninh.lib.dates import format_datetime_vn, local_day_bounds
from anninh.lib.money import format_vnd
from anninh.lib.text import fold
from anninh.records import scoping
from anninh.records.masking import person_label
from anninh.records.models import (
    Case,
    CrimeReport,
    FireRescueDetail,
    Incident,
    IncidentKind,
    IncidentOffence,
    IncidentPerson,
    Offence,
    OffenceGroup,
    PersonRole,
    PremisesType,
    ReviewStatus,
)
from anninh.records.models.incidents import NO_POINT
from anninh.records.versioning import timeline_for

PAGE_SIZE = 50
#: The list counts its rows only up to this many: counting every match of a broad filter over a
#: million incidents costs more than the page itself, and nobody pages through 20 pages of 50.
COUNT_CAP = 1_000
#: The API counts further (a client may page through 10,000 rows) and says when it stopped.
API_COUNT_CAP = 10_000


def capped_count(qs: QuerySet, cap: int) -> tuple[int, bool]:
    """(count, capped): the number of rows up to `cap`, and whether there are more.

    Counted on the ids alone, without ORDER BY or joins, so the database stops at cap + 1
    rows instead of sorting and joining every match."""
    n = qs.order_by().select_related(None).values("pk")[: cap + 1].count()
    return min(n, cap), n > cap


class CappedPaginator(Paginator):
    """A paginator whose count stops at COUNT_CAP (``capped`` says the true count is larger);
    pages beyond the cap are not offered."""

    cap = COUNT_CAP
    capped = False

    @cached_property
    def count(self) -> int:
        n, self.capped = capped_count(self.object_list, self.cap)
        return n


MAP_LIMIT = 20_000
#: Related columns the lists and the detail never show (loaded on access if ever needed).
RELATED_DEFER = ("commune__boundary",)


@dataclass(frozen=True)
class IncidentFilters:
    """The filters of the incident list, shared by the page, the API, exports and the map."""

    q: str = ""  # number, address or narrative (folded)
    kinds: tuple[str, ...] = ()
    offence_group: str = ""
    article: str = ""
    commune: str = ""  # NSO code
    unit_id: int | None = None
    date_from: dt.date | None = None  # local dates, inclusive
    date_to: dt.date | None = None
    review_status: str = ""
    with_point: bool | None = None
    synthetic: bool | None = None
    extra: dict = field(default_factory=dict)

    def as_params(self) -> dict[str, Any]:
        """The filters that are set, as query-string values (dates dd/mm/yyyy)."""
        out: dict[str, Any] = {}
        if self.q:
            out["q"] = self.q
        if self.kinds:
            out["kind"] = list(self.kinds)
        for name in ("offence_group", "article", "commune", "review_status"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.unit_id:
            out["unit"] = self.unit_id
        if self.date_from:
            out["date_from"] = self.date_from.strftime("%d/%m/%Y")
        if self.date_to:
            out["date_to"] = self.date_to.strftime("%d/%m/%Y")
        return out


def incident_base(*, viewer) -> QuerySet:
    """Every incident the viewer may see, unfiltered."""
    return Incident.objects.restrict(viewer)


def _clean(value: str) -> str:
    # PostgreSQL refuses NUL and lone surrogates in text; nobody types them.
    from anninh.records.services.persons import clean_text

    return clean_text(value)


def incident_list(*, viewer, filters: IncidentFilters | None = None) -> QuerySet:
    filters = filters or IncidentFilters()
    qs = incident_base(viewer=viewer)
    if filters.kinds:
        qs = qs.filter(kind__in=filters.kinds)
    if filters.offence_group:
        qs = qs.filter(offence_group=filters.offence_group)
    if filters.article:
        from anninh.records.services.incidents import normalise_article

        article = normalise_article(_clean(filters.article))
        # The article's offence ids first (one per version of the Penal Code): the EXISTS then
        # probes the (incident, offence) index with no join to the offence table per incident.
        offence_ids = list(Offence.objects.filter(article=article).values_list("pk", flat=True))
        qs = qs.filter(
            Exists(IncidentOffence.objects.filter(incident=OuterRef("pk"), offence_id__in=offence_ids))
        )
    if filters.commune:
        qs = qs.filter(commune_id=_clean(filters.commune))
    if filters.unit_id:
        qs = qs.filter(responsible_unit_id=filters.unit_id)
    if filters.date_from:
        qs = qs.filter(occurred_from__gte=local_day_bounds(filters.date_from)[0])
    if filters.date_to:
        qs = qs.filter(occurred_from__lt=local_day_bounds(filters.date_to)[1])
    if filters.review_status:
        qs = qs.filter(review_status=filters.review_status)
    if filters.with_point is not None:
        qs = qs.filter(lat__isnull=not filters.with_point)
    if filters.synthetic is not None:
        qs = qs.filter(is_synthetic=filters.synthetic)
    term = _clean(filters.q)[:200]
    if term:
        words = fold(term).split()
        by_text = Q()
        for word in words:
            by_text &= Q(search_key__contains=word)
        qs = qs.filter(Q(number__icontains=term) | by_text)
    # The commune's boundary (a GeoJSON polygon of several kB) is never shown with an incident:
    # loading it decoded one polygon per row, half the Python CPU of a 50-row API page.
    return (
        qs.select_related("commune", "responsible_unit")
        .defer(*RELATED_DEFER)
        .order_by("-occurred_from", "-id")
    )


def with_main_offence(qs: QuerySet) -> QuerySet:
    """Prefetch each incident's main offence into `main_offence_links` (one query per page)."""
    return qs.prefetch_related(
        Prefetch(
            "offence_links",
            queryset=IncidentOffence.objects.filter(is_main=True).select_related("offence"),
            to_attr="main_offence_links",
        )
    )


def incident_page(*, viewer, filters: IncidentFilters, page: int | str = 1, per_page: int = PAGE_SIZE):
    """One page of the list (a constant number of queries, whatever the page size)."""
    paginator = CappedPaginator(with_main_offence(incident_list(viewer=viewer, filters=filters)), per_page)
    return paginator.get_page(page)


def incident_slice(
    *, viewer, filters: IncidentFilters, limit: int, offset: int, cap: int | None = None
) -> tuple[int, bool, list[Incident]]:
    """(total, capped, rows) for limit/offset pagination (the API): the total stops at `cap`
    and `capped` says there are more."""
    qs = incident_list(viewer=viewer, filters=filters)
    total, capped = capped_count(qs, API_COUNT_CAP if cap is None else cap)
    return total, capped, list(with_main_offence(qs)[offset : offset + limit])


def incident_detail_queryset(*, viewer) -> QuerySet:
    """Incidents the viewer may open, with what the page shows of them."""
    return (
        incident_base(viewer=viewer)
        .select_related("commune", "responsible_unit", "created_by", "reviewed_by", "fire_rescue")
        .defer(*RELATED_DEFER)
    )


def incident_answer_queryset(*, viewer) -> QuerySet:
    """Incidents the viewer may open, with what the API's detail answer shows of them (the
    page's queryset without the two user rows it names: a third of the SQL to build)."""
    return (
        incident_base(viewer=viewer)
        .select_related("commune", "responsible_unit", "fire_rescue")
        .defer(*RELATED_DEFER)
    )


# The map --------------------------------------------------------------------------------


def incident_map_points(*, viewer, filters: IncidentFilters, limit: int = MAP_LIMIT) -> dict[str, Any]:
    """The located incidents of the filtered list: [(id, lat, lon, kind), ...] (compact, for
    thousands of points), the count of those without a point, and whether it was cut off."""
    qs = incident_list(viewer=viewer, filters=filters).order_by()
    located = qs.filter(lat__isnull=False, lon__isnull=False)
    rows = list(
        located.order_by("-occurred_from", "-id").values_list("id", "lat", "lon", "kind")[: limit + 1]
    )
    return {
        # The rows as they come (tuples: JSON arrays once dumped); copying 20,000 of them
        # into lists cost a third of a city-wide map's CPU.
        "points": rows if len(rows) <= limit else rows[:limit],
        "truncated": len(rows) > limit,
        "without_point": qs.filter(NO_POINT).count(),
    }


# One incident ---------------------------------------------------------------------------


def incident_offences(*, viewer, incident: Incident) -> list[IncidentOffence]:
    return list(incident.offence_links.select_related("offence").order_by("-is_main", "id"))


@dataclass(frozen=True)
class PersonRow:
    link_id: int
    person_id: int | None  # None for a masked viewer: a stable id would link records
    label: str  # the name, or "Person 1", "Person 2"... for a masked viewer
    role: str
    role_label: str
    note: str
    masked: bool
    full_name: str | None = None
    cccd: str | None = None
    birth_year: int | None = None
    sex: str | None = None
    phones: tuple[str, ...] = ()
    address: str | None = None


def incident_persons(*, viewer, incident: Incident) -> list[PersonRow]:
    """The people of an incident; names and identifiers only for viewers with personal data
    (analysts see the roles and the count, not the people)."""
    sees = scoping.sees_personal_data(viewer)
    links = incident.person_links.select_related("person").order_by("role", "id")
    if sees:
        links = links.prefetch_related("person__phones")
    rows = []
    for position, link in enumerate(links, start=1):
        common = {
            "link_id": link.pk,
            "person_id": link.person_id if sees else None,
            "label": link.person.full_name if sees else person_label(position),
            "role": link.role,
            "role_label": str(PersonRole(link.role).label),
            "note": link.note if sees else "",
            "masked": not sees,
        }
        if sees:
            p = link.person
            rows.append(
                PersonRow(
                    **common,
                    full_name=p.full_name,
                    cccd=p.cccd,
                    birth_year=p.birth_year,
                    sex=p.sex,
                    phones=tuple(ph.number for ph in p.phones.all()),
                    address=p.address,
                )
            )
        else:
            rows.append(PersonRow(**common))
    return rows


def incident_reports(*, viewer, incident: Incident) -> list[CrimeReport]:
    """Linked crime reports the viewer may see (the others are not even counted)."""
    return list(incident.crime_reports.restrict(viewer).order_by("-received_at"))


def incident_cases(*, viewer, incident: Incident) -> list[Case]:
    from anninh.records.selectors.cases import case_base

    return list(case_base(viewer=viewer).filter(incident=incident).select_related("handling_unit"))


def incident_fire_rescue(*, incident: Incident) -> FireRescueDetail | None:
    # incident_detail_queryset brings it along (select_related): no second query then.
    if Incident.fire_rescue.is_cached(incident):
        return getattr(incident, "fire_rescue", None)
    return FireRescueDetail.objects.filter(incident=incident).first()


def incident_response_times(*, incident: Incident) -> list:
    return list(incident.response_times.select_related("unit").order_by("alerted_at", "id"))


# The timeline ---------------------------------------------------------------------------

_FIELD_LABELS = {
    "kind": lambda: _("Kind"),
    "occurred_from": lambda: _("Occurred from"),
    "occurred_to": lambda: _("Occurred until"),
    "reported_at": lambda: _("Reported at"),
    "commune_id": lambda: _("Commune"),
    "address": lambda: _("Address"),
    "lat": lambda: _("Latitude"),
    "lon": lambda: _("Longitude"),
    "premises": lambda: _("Premises"),
    "narrative": lambda: _("Narrative"),
    "responsible_unit_id": lambda: _("Responsible unit"),
    "offence_group": lambda: _("Offence group"),
    "losses_vnd": lambda: _("Losses"),
    "review_status": lambda: _("Review"),
    "review_comment": lambda: _("Review comment"),
    "offences": lambda: _("Offences"),
    "persons": lambda: _("People"),
    "losses": lambda: _("Property and losses"),
    "crime_reports": lambda: _("Crime reports"),
    "fire_rescue": lambda: _("Fire and rescue report"),
    "response_times": lambda: _("Response times"),
}
_HIDDEN = {
    "version",
    "reviewed_by_id",
    "reviewed_at",
    "id",
    "number",
    "created_by_id",
    "external_id",
    "is_synthetic",
}
_EVENT_LABELS = {
    "created": lambda: _("Created"),
    "updated": lambda: _("Changed"),
    "amended": lambda: _("Amended after approval"),
    "submitted": lambda: _("Submitted for approval"),
    "returned": lambda: _("Returned for correction"),
    "approved": lambda: _("Approved"),
    "case_opened": lambda: _("Case opened"),
    "transition": lambda: _("Status changed"),
}


def _display(name: str, value: Any) -> str:
    if value in (None, "", [], {}):
        return "—"
    if name in {"occurred_from", "occurred_to", "reported_at"} and isinstance(value, str):
        try:
            return format_datetime_vn(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
    if name == "kind":
        return str(IncidentKind(value).label) if value in IncidentKind.values else str(value)
    if name == "premises":
        return str(PremisesType(value).label) if value in PremisesType.values else str(value)
    if name == "review_status":
        return str(ReviewStatus(value).label) if value in ReviewStatus.values else str(value)
    if name == "offence_group":
        return str(OffenceGroup(value).label) if value in OffenceGroup.values else str(value)
    if name == "losses_vnd" and isinstance(value, int):
        return format_vnd(value)
    if name == "narrative":
        text = str(value)
        return text if len(text) <= 200 else text[:200] + "…"
    if name == "offences":
        return ", ".join(str(v) for v in value)
    if name == "persons":
        return _("%(n)d people") % {"n": len(value)}
    if name == "losses" and isinstance(value, list):
        return format_vnd(sum(int(row[1]) for row in value if isinstance(row, list) and len(row) > 1))
    if name in ("fire_rescue", "response_times"):
        return _("changed")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class TimelineRow:
    at: dt.datetime
    actor_name: str
    kind: str
    label: str
    version: int
    from_status: str
    to_status: str
    comment: str
    changes: list[tuple[str, str, str]]


def incident_timeline(*, viewer, incident: Incident) -> list[TimelineRow]:
    """Every version of the incident, oldest first, with what changed in words. The people
    changed are told as a count (no names in the timeline)."""
    rows = []
    for event in timeline_for(incident):
        changes = []
        for name, pair in (event.changes or {}).items():
            if name in _HIDDEN or name not in _FIELD_LABELS:
                continue
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            changes.append((_FIELD_LABELS[name](), _display(name, old), _display(name, new)))
        rows.append(
            TimelineRow(
                at=event.at,
                actor_name=event.actor_name,
                kind=event.kind,
                label=_EVENT_LABELS.get(event.kind, lambda e=event: e.kind)(),
                version=event.version,
                from_status=event.from_status,
                to_status=event.to_status,
                comment=event.comment,
                changes=changes,
            )
        )
    return rows


# Choices for forms and filters ------------------------------------------------------------


def offence_options() -> list[Offence]:
    """The articles of the offence table (the newest version of each), for pickers."""
    seen: dict[str, Offence] = {}
    for offence in Offence.objects.order_by("article", "-valid_from"):
        seen.setdefault(offence.article, offence)
    return sorted(
        seen.values(), key=lambda o: (len(o.article.rstrip("abcdefghijklmnopqrstuvwxyz")), o.article)
    )


def person_links_for_form(*, incident: Incident) -> list[IncidentPerson]:
    """The incident's people as its edit form shows them (the editor sees personal data)."""
    return list(
        incident.person_links.select_related("person")
        .prefetch_related("person__phones")
        .order_by("role", "id")
    )

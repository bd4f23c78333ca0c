"""Reads of the investigations app, scoped to the viewer through each model's door."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from anninh.investigations.models import (
    AnalysisRun,
    CandidateStatus,
    Document,
    Entity,
    EntityMerge,
    EntitySource,
    Investigation,
    Link,
    MatchCandidate,
    SourceFile,
)
from anninh.lib.text import fold

#: The most rows a search answers with (narrow the words to see others).
SEARCH_LIMIT = 100
#: The most sources an entity page lists.
SOURCES_SHOWN = 200


def investigation_list(*, viewer) -> QuerySet[Investigation]:
    return (
        Investigation.objects.restrict(viewer)
        .select_related("unit")
        .annotate(n_entities=Count("entities", distinct=True), n_members=Count("team", distinct=True))
        .order_by("-opened_on", "-id")
    )


def entity_search(*, viewer, investigation: Investigation, query: str, kind: str = "") -> list[Entity]:
    """Entities of the investigation whose name (with or without diacritics) or identifier
    holds every word typed; merged entities answer as their survivor."""
    qs = Entity.objects.restrict(viewer).filter(investigation=investigation)
    if kind:
        qs = qs.filter(kind=kind)
    for word in fold(query).split():
        qs = qs.filter(Q(name_key__contains=word) | Q(key__icontains=word))
    return list(qs.select_related("merged_into").order_by("kind", "label", "id")[:SEARCH_LIMIT])


def entity_detail(*, viewer, entity: Entity) -> dict:
    """Everything on an entity page: its identifiers (its own and those merged into it), the
    places it was read, its links (both ways), and the documents that name it."""
    merged = list(Entity.objects.restrict(viewer).filter(merged_into=entity).order_by("kind", "key"))
    ids = [entity.pk, *(m.pk for m in merged)]
    sources = entity_sources(viewer=viewer, ids=ids)
    links = list(
        Link.objects.restrict(viewer)
        .filter(Q(source_id__in=ids) | Q(target_id__in=ids))
        .select_related("source", "target", "batch")
        .order_by("occurred_at", "id")[:500]
    )
    documents = list(Document.objects.restrict(viewer).filter(entities__in=ids).distinct())
    merges = list(
        EntityMerge.objects.restrict(viewer)
        .filter(survivor=entity, undone_at__isnull=True)
        .select_related("created_by")
    )
    return {"merged": merged, "sources": sources, "links": links, "documents": documents, "merges": merges}


@dataclass(frozen=True)
class Source:
    """One place an entity was read: a file (its batch: who imported it, when), sheet, row."""

    batch: SourceFile
    sheet: str
    row: int


def entity_sources(*, viewer, ids: list[int], limit: int = SOURCES_SHOWN) -> list[Source]:
    """Every place the entities `ids` were read, first imported first (at most `limit`): the
    rows that wrote a link naming them (a link keeps its file, sheet and row, so the import
    writes no entity-source row for them) and the entity-source rows of the others (a row
    whose fact was already known, or that names an entity outside any link)."""
    places: set[tuple[int, str, int]] = set()
    for batch, sheet, row in (
        EntitySource.objects.restrict(viewer)
        .filter(entity_id__in=ids)
        .order_by("batch__created_at", "batch_id", "sheet", "row")
        .values_list("batch_id", "sheet", "row")[:limit]
    ):
        places.add((batch, sheet, row))
    for side in ("source_id__in", "target_id__in"):
        places.update(
            Link.objects.restrict(viewer)
            .filter(**{side: ids}, batch__isnull=False)
            .order_by("batch__created_at", "batch_id", "sheet", "row")
            .values_list("batch_id", "sheet", "row")
            .distinct()[:limit]
        )
    batches = (
        SourceFile.objects.restrict(viewer).select_related("created_by").in_bulk({b for b, _s, _r in places})
    )
    found = [Source(batches[b], sheet, row) for b, sheet, row in places if b in batches]
    found.sort(key=lambda s: (s.batch.created_at, s.batch.pk, s.sheet, s.row))
    return found[:limit]


def review_queue(*, viewer, investigation: Investigation, status: str = CandidateStatus.PENDING):
    return (
        MatchCandidate.objects.restrict(viewer)
        .filter(investigation=investigation, status=status)
        .select_related("left", "right", "decided_by")
        .order_by("-probability", "id")
    )


def merge_list(*, viewer, investigation: Investigation):
    return (
        EntityMerge.objects.restrict(viewer)
        .filter(investigation=investigation)
        .select_related("survivor", "created_by", "undone_by")
        .order_by("-created_at", "-id")
    )


def batch_list(*, viewer, investigation: Investigation):
    return (
        SourceFile.objects.restrict(viewer)
        .filter(investigation=investigation)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


def latest_analysis(*, viewer, investigation: Investigation) -> AnalysisRun | None:
    return AnalysisRun.objects.restrict(viewer).filter(investigation=investigation).order_by("-id").first()


def counts(*, viewer, investigation: Investigation) -> dict[str, int]:
    ents = Entity.objects.restrict(viewer).filter(investigation=investigation, merged_into__isnull=True)
    by_kind = dict(ents.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    by_kind["links"] = Link.objects.restrict(viewer).filter(investigation=investigation).count()
    by_kind["pending"] = (
        MatchCandidate.objects.restrict(viewer)
        .filter(investigation=investigation, status=CandidateStatus.PENDING)
        .count()
    )
    return by_kind


def timeline(*, viewer, investigation: Investigation, kind: str = "", limit: int = 500) -> list[Link]:
    qs = Link.objects.restrict(viewer).filter(investigation=investigation, occurred_at__isnull=False)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.select_related("source", "target").order_by("occurred_at", "id")[:limit])


def timeline_days(*, viewer, investigation: Investigation, currency: str = "VND") -> list[dict]:
    """Payments by day (local time): those of the bank statements and crypto records, and those
    the victims' complaints declare, each with its number and its amount in ``currency`` (other
    currencies are counted, never converted or added)."""
    qs = (
        Link.objects.restrict(viewer)
        .filter(investigation=investigation, kind="payment", occurred_at__isnull=False)
        .annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
    )
    complaint = Q(data__complaint=True)
    in_currency = Q(currency=currency) | Q(currency="")
    # (a JSON key that is absent is NULL, so "not a complaint" is all minus the complaints)
    rows = qs.annotate(
        every=Count("id"),
        every_amount=Sum("amount", filter=in_currency),
        complaints=Count("id", filter=complaint),
        complaints_amount=Sum("amount", filter=complaint & in_currency),
    ).order_by("day")
    return [
        {
            "day": r["day"].isoformat(),
            "payments": r["every"] - r["complaints"],
            "payments_amount": float((r["every_amount"] or 0) - (r["complaints_amount"] or 0)),
            "complaints": r["complaints"],
            "complaints_amount": float(r["complaints_amount"] or 0),
        }
        for r in rows
    ]


def neighbourhood(
    *, viewer, investigation: Investigation, centre_ids: list[int], depth: int = 1, limit: int = 300
) -> dict:
    """The entities within `depth` links of the centres and the links among them, at most
    `limit` nodes (the nearest first), links folded by (source, target, kind) with their count
    and amount. Merged entities are drawn as their survivor."""
    entities = Entity.objects.restrict(viewer).filter(investigation=investigation)
    links = Link.objects.restrict(viewer).filter(investigation=investigation)
    root = dict(entities.filter(merged_into__isnull=False).values_list("id", "merged_into_id"))

    def r(i: int) -> int:
        return root.get(i, i)

    seen: dict[int, int] = {r(c): 0 for c in centre_ids}
    frontier = set(seen)
    for level in range(1, depth + 1):
        if not frontier or len(seen) >= limit:
            break
        members = frontier | {k for k, v in root.items() if v in frontier}
        pairs = links.filter(Q(source_id__in=members) | Q(target_id__in=members)).values_list(
            "source_id", "target_id"
        )
        nxt = set()
        for s, t in pairs.iterator():
            for n in (r(s), r(t)):
                if n not in seen and len(seen) < limit:
                    seen[n] = level
                    nxt.add(n)
        frontier = nxt
    ids = set(seen)
    members = ids | {k for k, v in root.items() if v in ids}
    edges: dict[tuple[int, int, str], dict] = {}
    for s, t, kind, amount in (
        links.filter(source_id__in=members, target_id__in=members)
        .values_list("source_id", "target_id", "kind", "amount")
        .iterator()
    ):
        key = (r(s), r(t), kind)
        e = edges.setdefault(
            key, {"source": key[0], "target": key[1], "kind": kind, "count": 0, "amount": 0.0}
        )
        e["count"] += 1
        e["amount"] += float(amount or 0)
    nodes = [
        {
            "id": e.pk,
            "label": e.label,
            "kind": e.kind,
            "key": e.key,
            "role": e.role,
            "ring": e.ring,
            "depth": seen[e.pk],
        }
        for e in entities.filter(pk__in=ids)
    ]
    return {"nodes": nodes, "links": list(edges.values()), "truncated": len(seen) >= limit}

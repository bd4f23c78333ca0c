"""Entity resolution of an investigation's people and companies, through
`anninh.network.resolve`: exact identifiers and sure matches are merged (each merge audited and
undoable), uncertain pairs go to the review queue with their probability and evidence, and a
shared phone or address alone is a lead, never a merge. Companies are one entity per tax code
from the import; the others are matched on name, representative and address, and every such
match waits in the review queue for an investigator."""

from __future__ import annotations

import pandas as pd
from django.db import transaction
from django.db.models import Q

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.investigations.access import require_team
from anninh.investigations.models import (
    CandidateStatus,
    Entity,
    EntityKind,
    Investigation,
    Link,
    LinkKind,
    MatchCandidate,
)
from anninh.investigations.services import entities_merge
from anninh.network.components import connected_components
from anninh.network.resolve import resolve_companies, resolve_people


def _people(inv: Investigation) -> pd.DataFrame:
    rows = []
    for pk, label, data in (
        Entity.objects.unrestricted()
        .filter(investigation=inv, kind=EntityKind.PERSON, merged_into__isnull=True)
        .values_list("id", "label", "data")
    ):
        rows.append(
            {
                "record_id": str(pk),
                "name": label,
                "birth_date": data.get("birth_date") or None,
                "cccd": data.get("cccd") or None,
                "phone": data.get("phone") or None,
                "address": data.get("address") or None,
                "province": data.get("province_name") or None,
                "commune": data.get("commune") or None,
            }
        )
    return pd.DataFrame(rows)


def resolution_run(
    *, actor, investigation: Investigation, backend: str = "duckdb", spark=None
) -> dict[str, int]:
    """Resolve the investigation's people (merge the sure matches, queue the uncertain ones)
    and its companies (name, representative and address matches to the review queue).

    ``backend="spark"`` runs Splink and the connected components on Apache Spark (``spark``,
    or a local session) instead of DuckDB and networkit; the decisions are the same."""
    if backend not in ("duckdb", "spark"):
        raise ValueError(f"unknown backend {backend!r}: use 'duckdb' or 'spark'")
    if actor is not None:
        require_team(actor, investigation)
    counts = _people_run(actor, investigation, backend, spark)
    companies = _companies_run(actor, investigation, backend, spark)
    counts["queued"] += companies["queued"]
    counts["leads"] += companies["leads"]
    counts["companies_queued"] = companies["queued"]
    return counts


def _people_run(actor, investigation: Investigation, backend: str, spark) -> dict[str, int]:
    people = _people(investigation)
    if len(people) < 2:
        return {"merged": 0, "queued": 0, "leads": 0}
    found = resolve_people(people, backend=backend, spark=spark)
    pairs = found.pairs
    linked = pairs[pairs["decision"] == "linked"]
    review = pairs[pairs["decision"] == "review"]
    leads = int((pairs["decision"] == "lead").sum())
    with transaction.atomic():
        merged = 0
        if not linked.empty:
            clusters = connected_components(
                linked[["record_id_l", "record_id_r"]],
                pd.concat([linked["record_id_l"], linked["record_id_r"]]).drop_duplicates(),
                backend="spark" if backend == "spark" else "local",
                spark=spark,
                source="record_id_l",
                target="record_id_r",
            )
            evidence = {
                (r.record_id_l, r.record_id_r): (r.rule, r.match_probability)
                for r in linked.itertuples(index=False)
            }
            for _label, group in clusters.groupby("component"):
                ids = sorted(int(x) for x in group["node"])
                ents = list(Entity.objects.unrestricted().filter(pk__in=ids).order_by("id"))
                rules = sorted({v[0] for k, v in evidence.items() if int(k[0]) in ids})
                entities_merge(
                    actor=actor,
                    investigation=investigation,
                    entities=ents,
                    reason=f"resolution: {', '.join(rules)}",
                )
                merged += len(ids) - 1
        decided = set(
            MatchCandidate.objects.unrestricted()
            .filter(investigation=investigation)
            .values_list("left_id", "right_id")
        )
        new = [
            MatchCandidate(
                investigation=investigation,
                left_id=int(r.record_id_l),
                right_id=int(r.record_id_r),
                probability=float(r.match_probability),
                evidence={"rule": r.rule, "evidence": r.evidence},
                status=CandidateStatus.PENDING,
            )
            for r in review.itertuples(index=False)
            if (int(r.record_id_l), int(r.record_id_r)) not in decided
        ]
        MatchCandidate.objects.bulk_create(new, ignore_conflicts=True)
        counts = {"merged": merged, "queued": len(new), "leads": leads}
        audit_record(
            actor=actor, action=AuditAction.UPDATE, target=investigation, extra={"resolution": counts}
        )
    return counts


def _companies(inv: Investigation) -> pd.DataFrame:
    """The investigation's companies as registry records: name, tax code, the legal
    representative's name (the person of a directorship link) and the address (of a
    has-address link)."""
    companies = {
        pk: {"record_id": str(pk), "name": label, "tax_code": data.get("tax_code") or None,
             "legal_rep_name": None, "address": None}
        for pk, label, data in Entity.objects.unrestricted()
        .filter(investigation=inv, kind=EntityKind.COMPANY, merged_into__isnull=True)
        .values_list("id", "label", "data")
    }  # fmt: skip
    if len(companies) < 2:
        return pd.DataFrame(list(companies.values()))
    links = (
        Link.objects.unrestricted()
        .filter(investigation=inv, kind__in=(LinkKind.DIRECTORSHIP, LinkKind.HAS_ADDRESS))
        .filter(Q(source_id__in=list(companies)) | Q(target_id__in=list(companies)))
        .values_list("kind", "source_id", "source__label", "target_id", "target__label")
        .order_by("id")
    )
    for kind, source, source_label, target, target_label in links:
        if kind == LinkKind.DIRECTORSHIP and target in companies:
            companies[target]["legal_rep_name"] = companies[target]["legal_rep_name"] or source_label
        elif kind == LinkKind.HAS_ADDRESS and source in companies:
            companies[source]["address"] = companies[source]["address"] or target_label
    return pd.DataFrame(list(companies.values()))


def _companies_run(actor, investigation: Investigation, backend: str, spark) -> dict[str, int]:
    """Companies are one entity per tax code already (the import keys them by it); the others
    (an extract without the code, a name written differently) are matched on name, legal
    representative and address, and every such match goes to the review queue with its
    evidence: a company's identity is its tax code, so no name-and-address match is merged
    without an investigator (shell companies share addresses and names that look alike)."""
    companies = _companies(investigation)
    if len(companies) < 2:
        return {"queued": 0, "leads": 0}
    pairs = resolve_companies(companies, backend=backend, spark=spark).pairs
    leads = int((pairs["decision"] == "lead").sum())
    wanted = pairs[pairs["decision"].isin(["linked", "review"])]
    with transaction.atomic():
        decided = set(
            MatchCandidate.objects.unrestricted()
            .filter(investigation=investigation)
            .values_list("left_id", "right_id")
        )
        new = [
            MatchCandidate(
                investigation=investigation,
                left_id=int(r.record_id_l),
                right_id=int(r.record_id_r),
                probability=float(r.match_probability),
                evidence={"rule": r.rule or "probabilistic", "evidence": r.evidence},
                status=CandidateStatus.PENDING,
            )
            for r in wanted.itertuples(index=False)
            if (int(r.record_id_l), int(r.record_id_r)) not in decided
        ]
        MatchCandidate.objects.bulk_create(new, ignore_conflicts=True)
        counts = {"queued": len(new), "leads": leads}
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=investigation,
            extra={"resolution": {"companies": counts}},
        )
    return counts

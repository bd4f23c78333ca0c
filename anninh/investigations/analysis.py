"""Running the network analysis of an investigation: the Django side of `anninh.network`.

Loads the investigation's facts as arrays, calls the library's public functions (graph,
roles, trace, totals, rings, score), and stores what they found: each entity's role, ring,
score and evidence, and an `AnalysisRun` with the totals and the ids behind each of them.

How the facts become a money graph:
- nodes are entities after merges (a merged entity is its survivor);
- transactions are the payments read from bank statements and crypto records, in one currency
  (VND by default; other currencies are counted apart, never converted);
- victims are the people of the complaint lists; a complaint's payment is matched to the
  statement row that moved it (same receiving account, same amount, within a day; the nearest
  in time, and one row for one payment, so two victims who paid one collector the same amount
  on the same day each keep their own account): its sender is then the victim's account. A
  complaint payment no statement shows is a transaction from the victim themself, so their
  loss still counts, once even when two complaint records tell of it;
- one victim is one person after resolution: complaint records that paid from the same bank
  account are one victim (an account is an identity; a phone or an address alone is not);
- cash-out points: crypto wallets the money is bought into, and cash withdrawals;
- rings: components over vetted link rules only: payments between accounts that hold a role,
  holds-account, directorship, ownership, same-as. Shared phones and addresses are leads and
  never join a ring.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict

import numpy as np
import pandas as pd
from django.db import connection, transaction

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.investigations.access import require_team
from anninh.investigations.models import AnalysisRun, Entity, EntityKind, Investigation, Link, LinkKind
from anninh.network.graph import TransactionGraph, rings
from anninh.network.roles import roles as network_roles
from anninh.network.score import score_accounts
from anninh.network.totals import totals as network_totals
from anninh.network.trace import KINDS
from anninh.network.trace import trace as network_trace

VETTED_RULES = ("network_payment", "holds_account", "directorship", "ownership", "same_as")
#: How far apart a complaint's payment and its statement row may be.
MATCH_WINDOW = dt.timedelta(days=1)
#: At most this many ids are stored behind a row of a breakdown (the totals keep them all).
IDS_KEPT = 5000


class _Union:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MICROSECOND = dt.timedelta(microseconds=1)
#: MATCH_WINDOW in microseconds (the links' times are read as microseconds since the epoch).
MATCH_WINDOW_US = MATCH_WINDOW // MICROSECOND


def _days_of(micros: np.ndarray) -> np.ndarray:
    """Days since the epoch of times in microseconds since the epoch (`timestamp() / 86400`)."""
    return np.asarray(micros, dtype=np.int64) / 1e6 / 86_400.0


def _link_rows(inv):
    """The investigation's links without their data, in their order (time, then id): (id, kind,
    source, target, amount as a float, currency, time in microseconds since the epoch or None).

    On PostgreSQL one server-side cursor read in batches, the amount cast to float8 (the same
    correctly rounded value as float(Decimal)) and the time to whole microseconds: building a
    Decimal and an aware datetime for each of 2,000,000 rows was most of the analysis's load."""
    if connection.vendor == "postgresql":
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                "SELECT id, kind, source_id, target_id, amount::float8, currency, "
                "(extract(epoch FROM occurred_at) * 1000000)::bigint FROM investigations_link "
                "WHERE investigation_id = %s ORDER BY occurred_at, id",
                [inv.pk],
            )
            while rows := cursor.fetchmany(50_000):
                yield from rows
        return
    for lid, kind, s, t, amount, cur, when in (
        Link.objects.unrestricted()
        .filter(investigation=inv)
        .order_by("occurred_at", "id")
        .values_list("id", "kind", "source_id", "target_id", "amount", "currency", "occurred_at")
        .iterator(chunk_size=20_000)
    ):
        yield (
            lid,
            kind,
            s,
            t,
            None if amount is None else float(amount),
            cur,
            None if when is None else (when - EPOCH) // MICROSECOND,
        )


def analysis_run(
    *,
    actor,
    investigation: Investigation,
    method: str = "proportional",
    max_hops: int | None = 10,
    max_days: float | None = None,
    currency: str = "VND",
    backend: str = "local",
    spark=None,
    min_amount: float = 0.0,
) -> AnalysisRun:
    """Analyse the investigation's network and store the results (team only).

    ``min_amount`` (đồng; proportional tracing): a piece of a victim's payment smaller than this
    is not split further and stops where it stands. Default 0: every piece is followed to the
    end, so the money traced to each cash-out point is exact. Above 0 the figures per cash-out
    point can only be lower (never higher) than the exact ones, and what stopped is reported
    as the untraced remainder (``results["trace"]``: the amount of each way a payment's money
    ended; they add up to the money paid, so money is conserved). Money lost does not depend
    on it (payments minus refunds, not tracing).

    ``backend="spark"`` finds the rings (connected components over the vetted links) on Apache
    Spark (``spark``, or a local session); the rest runs here. The results are the same."""
    if backend not in ("local", "spark"):
        raise ValueError(f"unknown backend {backend!r}: use 'local' or 'spark'")
    if actor is not None:
        require_team(actor, investigation)
    inv = investigation
    entities = pd.DataFrame(
        list(
            Entity.objects.unrestricted()
            .filter(investigation=inv)
            .values_list("id", "kind", "merged_into_id", "province", "data")
        ),
        columns=["id", "kind", "merged_into", "province", "data"],
    )
    root = {
        int(i): int(m) for i, m in zip(entities["id"], entities["merged_into"], strict=True) if pd.notna(m)
    }

    def r(i: int) -> int:
        seen = 0
        while i in root and seen < 50:
            i, seen = root[i], seen + 1
        return i

    kind_of = dict(zip(entities["id"].astype(int), entities["kind"], strict=True))
    person_by_key = dict(
        Entity.objects.unrestricted()
        .filter(investigation=inv, kind=EntityKind.PERSON)
        .values_list("key", "id")
    )
    province_of_entity = dict(zip(entities["id"].astype(int), entities["province"], strict=True))
    # The links without their data (decoding millions of JSON objects is most of the load):
    # only the complaints' payments need theirs.
    links = _link_rows(inv)
    complaint_data = dict(
        Link.objects.unrestricted()
        .filter(investigation=inv, kind=LinkKind.PAYMENT, data__has_key="complaint")
        .values_list("id", "data")
    )
    # Transactions of the statements and crypto records, in the analysis currency.
    tx, claims, other_currency = [], [], defaultdict(float)
    identity_links = []
    victims_of_claims: set[int] = set()
    reported: set[int] = set()  # accounts and wallets victims named in their complaints
    for lid, kind, s, t, amount, cur, when in links:
        if root:
            s, t = r(s), r(t)
        if kind == LinkKind.PAYMENT:
            if (cur or "VND") != currency:
                other_currency[cur] += amount or 0.0
                continue
            data = complaint_data.get(lid)
            if data and data.get("complaint"):
                claims.append((lid, s, t, amount, when, data))
            elif when is not None:
                tx.append((lid, s, t, amount, when))
        elif kind in (LinkKind.HOLDS_ACCOUNT, LinkKind.DIRECTORSHIP, LinkKind.OWNERSHIP, LinkKind.SAME_AS):
            identity_links.append((s, t, str(kind)))
        elif kind == LinkKind.REPORTED_BY:
            victims_of_claims.add(t)
            reported.add(s)
    victim_persons = {
        r(int(i))
        for i, d in zip(entities["id"], entities["data"], strict=True)
        if d.get("role_in_case") == "victim"
    }
    victim_persons |= victims_of_claims

    # Match each complaint payment to the statement row that moved it (see `_match_claims`).
    by_target = _rows_by_target(tx, targets={target for _lid, _p, target, *_rest in claims})
    union = _Union()
    victim_account_of: dict[int, int] = {}  # account entity → victim person (before union)
    extra_tx = []
    told = []
    for lid, person, target, amount, when, data in claims:
        if kind_of.get(person) != EntityKind.PERSON:  # paid from an account named in the complaint
            owner = person_by_key.get(data.get("victim"))
            owner = r(owner) if owner is not None else person
            if person in victim_account_of:
                union.union(victim_account_of[person], owner)
            else:
                victim_account_of[person] = owner
                union.find(owner)
            if not any(snd == person for _l, snd, _w in by_target.get((target, round(amount, 2)), [])):
                extra_tx.append((lid, person, target, amount, when)) if when is not None else None
            continue
        told.append((lid, person, target, amount, when))
    for group, sender in _match_claims(told, by_target):
        persons = [person for _lid, person, *_rest in group]
        for person in persons[1:]:
            union.union(persons[0], person)
        if sender is not None:
            if sender in victim_account_of:
                union.union(victim_account_of[sender], persons[0])
            else:
                victim_account_of[sender] = persons[0]
                union.find(persons[0])
        else:
            lid, person, target, amount, when = group[0]
            if when is not None:
                extra_tx.append((lid, person, target, amount, when))
                for p in persons:
                    victim_account_of.setdefault(p, p)
    # Accounts a victim holds (from registry extracts) are theirs too.
    for s, t, rule in identity_links:
        if rule == LinkKind.HOLDS_ACCOUNT and s in victim_persons and t not in victim_account_of:
            victim_account_of[t] = s
    victims = {acc: union.find(p) for acc, p in victim_account_of.items()}

    all_tx = tx + extra_tx
    cash_out = [
        int(i)
        for i, k in kind_of.items()
        if k in (EntityKind.WALLET, EntityKind.CASH_POINT) and r(int(i)) == int(i)
    ]
    results: dict = {
        "currency": currency,
        "method": method,
        "max_hops": max_hops,
        "max_days": max_days,
        "min_amount": min_amount,
        "backend": backend,
    }
    results["other_currencies"] = dict(other_currency)
    if not all_tx:
        results["empty"] = True
        return _store(actor, inv, results, {}, method, max_hops, max_days)
    frame = pd.DataFrame(all_tx, columns=["id", "source", "target", "amount", "when"])
    graph = TransactionGraph.from_arrays(
        frame["source"].to_numpy(),
        frame["target"].to_numpy(),
        frame["amount"].to_numpy(),
        _days_of(frame["when"]),
        tx_ids=frame["id"].to_numpy(),
    )
    cash_kinds = {c: ("cash" if kind_of.get(c) == EntityKind.CASH_POINT else "crypto") for c in cash_out}
    role_table = network_roles(graph, victims=list(victims), cash_out_kinds=cash_kinds)
    # Rings over vetted rules: payments among accounts that hold a role or were reported, and
    # the identity links (holds-account, directorship, ownership, same-as) of non-victims.
    role_holders = set(role_table["account"].tolist())
    candidates = (role_holders | reported) - set(victims)
    in_net = np.array([i in candidates for i in graph.ids])
    both = in_net[graph.source] & in_net[graph.target]
    ring_links = pd.DataFrame(
        {"a": graph.ids[graph.source[both]], "b": graph.ids[graph.target[both]], "rule": "network_payment"}
    )
    people_links = pd.DataFrame(
        [(s, t, rule) for s, t, rule in identity_links if s not in victim_persons and t not in victims],
        columns=["a", "b", "rule"],
    )
    found_rings = rings(
        pd.concat([ring_links, people_links], ignore_index=True),
        vetted=VETTED_RULES,
        backend=backend,
        spark=spark,
    )
    # The rings of the case are those holding an account a victim reported; the network is
    # their members and the reported accounts (a role alone, without a path from a victim's
    # report, is a lead for the score, not a part of the case: a shop's busy account is not).
    ring_of: dict[int, int] = {}
    kept = [n for n, members in sorted(found_rings.members.items()) if any(m in reported for m in members)]
    for new_number, number in enumerate(kept, start=1):
        for m in found_rings.members[number]:
            ring_of[int(m)] = new_number
    network = (set(ring_of) | reported) - set(victims)
    is_victim_node = np.array([i in victims for i in graph.ids])
    to_network = np.array([i in network for i in graph.ids])
    payments = np.flatnonzero(is_victim_node[graph.source] & to_network[graph.target])
    traced = network_trace(
        graph,
        victims=victims,
        cash_out=cash_out,
        method=method,
        max_hops=max_hops,
        max_days=max_days,
        payments=payments,
        min_amount=min_amount,
    )
    province_of = {label: province_of_entity.get(label, "") for label in set(victims.values())}
    found = network_totals(graph, victims=victims, network=network, trace=traced, province_of=province_of)
    scores = score_accounts(graph, reasons=True)

    per_entity: dict[int, dict] = defaultdict(dict)
    for row in role_table.itertuples(index=False):
        per_entity[int(row.account)]["role"] = row.primary
        per_entity[int(row.account)]["evidence"] = _plain(row.evidence)
    for row in scores.head(2000).itertuples(index=False):
        per_entity[int(row.account)]["score"] = float(row.score)
        per_entity[int(row.account)].setdefault("evidence", {})["score"] = list(row.reasons)[:5]
    for node, number in ring_of.items():
        per_entity[node]["ring"] = number
    for account, person in victims.items():
        per_entity[int(person)].setdefault("role", "victim")
        if account != person:
            per_entity[int(account)].setdefault("role", "victim_account")

    # Totals with the ids behind them (victims: person entity ids; money: link ids).
    results["totals"] = {
        "distinct_victims": {
            "value": found.distinct_victims.value,
            "ids": [int(x) for x in found.distinct_victims.ids],
        },
        "paid": {"value": found.paid.value, "ids": [int(x) for x in found.paid.ids]},
        "returned": {"value": found.returned.value, "ids": [int(x) for x in found.returned.ids]},
        "lost": {"value": found.lost.value, "ids": [int(x) for x in found.lost.ids]},
    }
    results["by_province"] = [
        {
            "province": row.province,
            "victims": int(row.victims),
            "paid": float(row.paid),
            "lost": float(row.lost),
            "ids": [int(x) for x in list(row.ids)[:IDS_KEPT]],
        }
        for row in found.by_province.itertuples(index=False)
    ]
    results["by_commune"] = _by_commune(found.per_victim, entities)
    results["by_month"] = [
        {
            "month": row.month,
            "victims": int(row.victims),
            "paid": float(row.paid),
            "returned": float(row.returned),
            "ids": [int(x) for x in list(row.ids)[:IDS_KEPT]],
        }
        for row in found.by_month.itertuples(index=False)
    ]
    results["by_cash_out"] = [
        {
            "entity": int(row.cash_out),
            "amount": float(row.amount),
            "victims": int(row.victims),
            "ids": [int(x) for x in list(row.ids)[:IDS_KEPT]],
        }
        for row in found.by_cash_out.itertuples(index=False)
    ]
    results["per_victim"] = [
        {
            "victim": int(row.victim),
            "paid": float(row.paid),
            "returned": float(row.returned),
            "lost": float(row.lost),
        }
        for row in found.per_victim.itertuples(index=False)
    ]
    # Where the traced money ended, by kind (cash_out, refund, to_victim, held, and the untraced
    # remainder: limit_hops, limit_days, limit_amount); the kinds add up to the money paid.
    ended = traced.flows.groupby("kind")["amount"].sum()
    results["trace"] = {
        "min_amount": min_amount,
        "paid": float(traced.payments["amount"].sum()),
        "by_kind": {kind: float(ended.get(kind, 0.0)) for kind in KINDS},
        "remainder": float(
            sum(ended.get(kind, 0.0) for kind in ("limit_hops", "limit_days", "limit_amount"))
        ),
    }
    # Money flow for the sankey: victims → collector (first account) → cash-out point.
    pay = traced.payments
    flows = traced.flows[traced.flows["kind"] == "cash_out"]
    collector_of = dict(zip(pay["payment"], pay["account"], strict=True))
    into = pay.groupby("account")["amount"].sum()
    out = (
        flows.assign(collector=flows["payment"].map(collector_of))
        .groupby(["collector", "account"])["amount"]
        .sum()
    )
    results["flow"] = {
        "into": [{"account": int(a), "amount": float(v)} for a, v in into.items()],
        "out": [{"collector": int(c), "cash_out": int(a), "amount": float(v)} for (c, a), v in out.items()],
    }
    results["rings"] = [
        {"ring": i, "members": [int(m) for m in found_rings.members[n]][:IDS_KEPT]}
        for i, n in enumerate(kept, start=1)
    ]
    results["ignored_rules"] = {str(k): int(v) for k, v in found_rings.ignored_rules.items()}
    return _store(actor, inv, results, per_entity, method, max_hops, max_days)


def _rows_by_target(tx, targets=None) -> dict[tuple[int, float], list[tuple[int, int, int]]]:
    """Statement rows by (receiving account, amount): [(link id, sender, when in microseconds
    since the epoch)], in link order;
    only those into `targets` when given (the accounts complaints name: the only ones asked)."""
    by_target: dict[tuple[int, float], list[tuple[int, int, int]]] = defaultdict(list)
    for lid, s, t, amount, when in tx:
        if targets is None or t in targets:
            by_target[(t, round(amount, 2))].append((lid, s, when))
    return by_target


def _match_claims(told, by_target) -> list[tuple[list[tuple], int | None]]:
    """Each payment a complaint tells of, matched to the statement row that moved it.

    ``told``: (link id, person, receiving account, amount, when) of the complaint payments;
    ``by_target``: the statement rows (:func:`_rows_by_target`). Returns [(claims, sender)]: the
    claims telling of one payment (the same receiving account, amount and time: a victim who
    filed twice, under two spellings, tells of it twice; it is one payment) and the account that
    sent it, or None when no statement shows it.

    A row moves one payment: two victims who paid one collector the same amount on the same
    day each get their own row, the nearest in time to what they told (within
    :data:`MATCH_WINDOW`), assigned closest pair first (ties by row, then by claim order), never
    the first row in the window for both (which joined the two victims into one, left the
    other's account unknown and dropped their payment from the totals). A claim without a time
    takes the first row no other claim took."""
    groups: dict[tuple, list[tuple]] = {}
    for claim in told:
        _lid, _person, target, amount, when = claim
        groups.setdefault((target, round(amount, 2), when), []).append(claim)
    keys = list(groups)
    pairs = []
    for g, (target, amount, when) in enumerate(keys):
        if when is None:
            continue
        for slid, sender, swhen in by_target.get((target, amount), []):
            gap = abs(swhen - when)
            if gap <= MATCH_WINDOW_US:
                pairs.append((gap, slid, g, sender))
    pairs.sort(key=lambda p: (p[0], p[1], p[2]))
    sender_of: dict[int, int] = {}
    taken: set[int] = set()
    for _gap, slid, g, sender in pairs:
        if g in sender_of or slid in taken:
            continue
        sender_of[g] = sender
        taken.add(slid)
    for g, (target, amount, when) in enumerate(keys):
        if when is None and g not in sender_of:
            for slid, sender, _swhen in by_target.get((target, amount), []):
                if slid not in taken:
                    sender_of[g] = sender
                    taken.add(slid)
                    break
    return [(groups[key], sender_of.get(g)) for g, key in enumerate(keys)]


#: The province whose communes the victims' map draws (Hai Phong, NSO code 31).
HAI_PHONG = "31"


def _commune_index() -> dict[str, str]:
    """Hai Phong's communes by folded name, with and without "phường"/"xã"/"đặc khu"."""
    from anninh.geo.models import Commune
    from anninh.lib.text import fold

    index: dict[str, str] = {}
    for code, name in Commune.objects.values_list("code", "name"):
        key = fold(name)
        index[key] = code
        bare = re.sub(r"^(phuong|xa|dac khu)\s+", "", key)
        index.setdefault(bare, code)
    return index


def _by_commune(per_victim: pd.DataFrame, entities: pd.DataFrame) -> list[dict]:
    """Hai Phong's victims whose commune is known, by commune: victims, paid, lost, and the
    victims behind each row (the others of Hai Phong count in the province only)."""
    from anninh.geo.lookup import commune_name
    from anninh.lib.text import fold

    if per_victim.empty:
        return []
    info = entities.set_index(entities["id"].astype(int))
    index = _commune_index()
    rows: dict[str, dict] = {}
    for row in per_victim.itertuples(index=False):
        victim = int(row.victim)
        if victim not in info.index or info.at[victim, "province"] != HAI_PHONG:
            continue
        text = (info.at[victim, "data"] or {}).get("commune") or ""
        key = fold(text)
        code = index.get(key) or index.get(re.sub(r"^(phuong|xa|dac khu)\s+", "", key))
        if not code:
            continue
        out = rows.setdefault(
            code,
            {
                "commune": code,
                "label": commune_name(code) or text,
                "victims": 0,
                "paid": 0.0,
                "lost": 0.0,
                "ids": [],
            },
        )
        out["victims"] += 1
        out["paid"] += float(row.paid)
        out["lost"] += float(row.lost)
        if len(out["ids"]) < IDS_KEPT:
            out["ids"].append(victim)
    return sorted(rows.values(), key=lambda r: (-r["victims"], r["commune"]))


def _plain(value):
    """numpy and tuples inside evidence as JSON-able values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in list(value)[:50]]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _store_per_entity(inv, per_entity: dict) -> None:
    """Each entity's ring, role, score and evidence: one UPDATE from arrays on PostgreSQL (a
    bulk_update's CASE per row grows with the square of a batch), bulk_update elsewhere."""
    if connection.vendor == "postgresql":
        columns: tuple[list, ...] = ([], [], [], [], [])
        for pk, values in per_entity.items():
            columns[0].append(pk)
            columns[1].append(values.get("ring"))
            columns[2].append(values.get("role", ""))
            columns[3].append(values.get("score"))
            columns[4].append(json.dumps(values.get("evidence", {})))
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE investigations_entity AS e SET ring = v.ring, role = v.role, score = v.score, "
                "evidence = v.evidence FROM unnest(%s::bigint[], %s::integer[], %s::text[], "
                "%s::double precision[], %s::jsonb[]) AS v(id, ring, role, score, evidence) "
                "WHERE e.id = v.id AND e.investigation_id = %s",
                [*columns, inv.pk],
            )
        return
    changed = [
        Entity(
            pk=pk,
            ring=values.get("ring"),
            role=values.get("role", ""),
            score=values.get("score"),
            evidence=values.get("evidence", {}),
        )
        for pk, values in per_entity.items()
    ]
    Entity.objects.bulk_update(changed, ["ring", "role", "score", "evidence"], batch_size=1000)


@transaction.atomic
def _store(actor, inv, results, per_entity, method, max_hops, max_days) -> AnalysisRun:
    # The last run's results are cleared where there are any (rewriting every entity's row
    # of a 2,000,000-transaction case, most of them without a result, took seconds).
    Entity.objects.unrestricted().filter(investigation=inv).exclude(
        ring=None, role="", score=None, evidence={}
    ).update(ring=None, role="", score=None, evidence={})
    _store_per_entity(inv, per_entity)
    run = AnalysisRun.objects.create(
        investigation=inv,
        params={
            "method": method,
            "max_hops": max_hops,
            "max_days": max_days,
            "min_amount": results.get("min_amount", 0.0),
        },
        results=results,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=run,
        extra={
            "investigation": inv.pk,
            "victims": results.get("totals", {}).get("distinct_victims", {}).get("value"),
        },
    )
    return run


def resolve_and_analyse(
    *,
    actor,
    investigation: Investigation,
    method: str = "proportional",
    spark: bool = False,
    session=None,
    min_amount: float = 0.0,
) -> tuple[dict[str, int], AnalysisRun]:
    """What the app runs after an import: resolution (merges and review queue), then the
    network analysis. With ``spark`` the resolution (Splink) and the connected components (the
    resolution's clusters and the rings) run on Apache Spark: ``session``, or a local one that is
    stopped at the end. ``min_amount``: see :func:`analysis_run`. Returns the resolution's counts
    and the stored run."""
    from anninh.investigations.resolution import resolution_run

    if not spark:
        counts = resolution_run(actor=actor, investigation=investigation)
        return counts, analysis_run(
            actor=actor, investigation=investigation, method=method, min_amount=min_amount
        )
    own = session is None
    if own:
        from anninh.network.components import spark_session

        session = spark_session("anninh-investigation")
    try:
        counts = resolution_run(actor=actor, investigation=investigation, backend="spark", spark=session)
        run = analysis_run(
            actor=actor,
            investigation=investigation,
            method=method,
            backend="spark",
            spark=session,
            min_amount=min_amount,
        )
    finally:
        if own:
            session.stop()
    return counts, run

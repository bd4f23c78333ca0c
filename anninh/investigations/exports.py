"""Exports an investigator elsewhere can read: FollowTheMoney entities (JSON lines), GEXF 1.3
for Gephi, and CSV / XLSX with one row per link for i2 Analyst's Notebook and Excel.

Merged entities are exported as their survivor (the merged identifiers kept on it); every
entity and link carries its provenance (FtM `recordId` "file#sheet!row", `retrievedAt`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from xml.sax.saxutils import quoteattr

from followthemoney import model

from anninh.investigations.models import Entity, EntityKind, Investigation, Link, LinkKind

CHUNK = 2000


def _entities(viewer, inv: Investigation):
    return Entity.objects.restrict(viewer).filter(investigation=inv).select_related("batch")


def _links(viewer, inv: Investigation):
    return Link.objects.restrict(viewer).filter(investigation=inv).select_related("batch").order_by("id")


def _root_map(viewer, inv) -> dict[int, int]:
    return dict(_entities(viewer, inv).filter(merged_into__isnull=False).values_list("id", "merged_into_id"))


def _root(roots: dict[int, int], pk: int) -> int:
    seen = 0
    while pk in roots and seen < 50:
        pk, seen = roots[pk], seen + 1
    return pk


def _record(batch, sheet: str, row) -> str:
    if batch is None:
        return ""
    return f"{batch.file_name}#{sheet}!{row}" if sheet else f"{batch.file_name}#{row}"


def _eid(inv: Investigation, pk: int) -> str:
    return f"anninh-{inv.code}-e{pk}"


# --- FollowTheMoney ---------------------------------------------------------------------------


_SCHEMA = {
    EntityKind.PERSON: "Person",
    EntityKind.COMPANY: "Company",
    EntityKind.BANK_ACCOUNT: "BankAccount",
    EntityKind.WALLET: "CryptoWallet",
    EntityKind.IDENTITY_DOCUMENT: "Identification",
    EntityKind.ADDRESS: "Address",
}


def ftm_lines(viewer, inv: Investigation) -> Iterator[str]:
    """FollowTheMoney entities, one JSON object a line. Phones are properties of the people
    who use them and the numbers of calls (FtM has no phone entity); cash withdrawals are
    payments described as such."""
    roots = _root_map(viewer, inv)
    kinds: dict[int, str] = {}
    holder_of: dict[int, int] = {}
    phones: dict[int, list[str]] = {}
    for s, t, kind in (
        _links(viewer, inv)
        .filter(kind__in=[LinkKind.HAS_PHONE, LinkKind.HOLDS_ACCOUNT])
        .values_list("source_id", "target_id", "kind")
    ):
        s, t = _root(roots, s), _root(roots, t)
        if kind == LinkKind.HOLDS_ACCOUNT:
            holder_of.setdefault(t, s)
        else:
            phones.setdefault(s, []).append(t)
    keys = dict(_entities(viewer, inv).filter(kind=EntityKind.PHONE).values_list("id", "key"))
    merged_keys: dict[int, list[str]] = {}
    for _pk, key, into in (
        _entities(viewer, inv).filter(merged_into__isnull=False).values_list("id", "key", "merged_into_id")
    ):
        merged_keys.setdefault(_root(roots, into), []).append(key)
    for e in _entities(viewer, inv).filter(merged_into__isnull=True).iterator(chunk_size=CHUNK):
        kinds[e.pk] = e.kind
        schema = _SCHEMA.get(e.kind)
        if schema is None:
            continue
        p = model.make_entity(schema)
        p.id = _eid(inv, e.pk)
        d = e.data
        if e.kind == EntityKind.PERSON:
            p.add("name", e.label)
            p.add("idNumber", d.get("cccd"))
            p.add("birthDate", (d.get("birth_date") or "")[:10] or None)
            p.add("phone", [keys.get(ph) for ph in phones.get(e.pk, []) if keys.get(ph)])
            p.add("alias", [k for k in merged_keys.get(e.pk, []) if not k.startswith("cccd:")])
        elif e.kind == EntityKind.COMPANY:
            p.add("name", e.label)
            p.add("taxNumber", d.get("tax_code"))
            p.add("jurisdiction", "vn")
        elif e.kind == EntityKind.BANK_ACCOUNT:
            bank, _sep, number = e.key.partition(":")
            p.add("accountNumber", number or e.key)
            p.add("bankName", bank)
            p.add("name", d.get("holder") or e.key)
        elif e.kind == EntityKind.WALLET:
            chain, _sep, address = e.key.partition(":")
            p.add("publicKey", address or e.key)
            p.add("blockchain", chain)
            if e.pk in holder_of:
                p.add("holder", _eid(inv, holder_of[e.pk]))
        elif e.kind == EntityKind.IDENTITY_DOCUMENT:
            p.add("number", e.label)
            p.add("type", "CCCD")
            p.add("country", "vn")
        elif e.kind == EntityKind.ADDRESS:
            p.add("full", e.label)
        p.add("recordId", _record(e.batch, e.sheet, e.row) or None, quiet=True)
        p.add("publisher", inv.code, quiet=True)
        yield json.dumps(p.to_dict(), ensure_ascii=False)
    for link in _links(viewer, inv).iterator(chunk_size=CHUNK):
        s, t = _root(roots, link.source_id), _root(roots, link.target_id)
        p = _ftm_link(inv, link, s, t, kinds, holder_of, keys)
        if p is None:
            continue
        p.id = f"anninh-{inv.code}-l{link.pk}"
        p.add("recordId", _record(link.batch, link.sheet, link.row) or None, quiet=True)
        p.add("publisher", inv.code, quiet=True)
        yield json.dumps(p.to_dict(), ensure_ascii=False)


def _ftm_link(inv, link, s, t, kinds, holder_of, phone_keys):
    eid = lambda pk: _eid(inv, pk)  # noqa: E731
    date = link.occurred_at.date().isoformat() if link.occurred_at else None
    if link.kind == LinkKind.PAYMENT:
        p = model.make_entity("Payment")
        p.add("amount", format(link.amount.normalize(), "f") if link.amount is not None else None)
        p.add("currency", link.currency)
        p.add("date", date)
        p.add("transactionNumber", link.reference or None)
        for end, role in ((s, "payer"), (t, "beneficiary")):
            kind = kinds.get(end)
            if kind == EntityKind.BANK_ACCOUNT:
                p.add(f"{role}Account", eid(end))
                if end in holder_of:
                    p.add(role, eid(holder_of[end]))
            elif kind in (EntityKind.PERSON, EntityKind.COMPANY):
                p.add(role, eid(end))
            elif kind == EntityKind.WALLET and end in holder_of:
                p.add(role, eid(holder_of[end]))
            elif kind == EntityKind.CASH_POINT:
                p.add("description", "cash withdrawal")
        if link.data.get("complaint"):
            p.add("summary", "payment stated in a victim's complaint")
        return p
    if link.kind == LinkKind.CALL:
        p = model.make_entity("Call")
        p.add("callerNumber", phone_keys.get(s))
        p.add("receiverNumber", phone_keys.get(t))
        p.add("date", link.occurred_at.isoformat(timespec="seconds") if link.occurred_at else None)
        p.add("duration", str(link.data.get("duration")) if link.data.get("duration") is not None else None)
        return p
    if link.kind in (LinkKind.OWNERSHIP, LinkKind.HOLDS_ACCOUNT):
        p = model.make_entity("Ownership")
        p.add("owner", eid(s))
        p.add("asset", eid(t))
        if link.kind == LinkKind.HOLDS_ACCOUNT:
            p.add("role", "account holder")
        return p
    if link.kind == LinkKind.DIRECTORSHIP:
        p = model.make_entity("Directorship")
        p.add("director", eid(s))
        p.add("organization", eid(t))
        p.add("role", link.data.get("role") or "director")
        return p
    if link.kind == LinkKind.HAS_IDENTITY:
        return None  # the Identification's holder, below
    if link.kind in (LinkKind.REPORTED_BY, LinkKind.SAME_AS, LinkKind.HAS_ADDRESS):
        if kinds.get(s) is None or kinds.get(t) is None or EntityKind.PHONE in (kinds.get(s), kinds.get(t)):
            return None
        p = model.make_entity("UnknownLink")
        p.add("subject", eid(t) if link.kind == LinkKind.REPORTED_BY else eid(s))
        p.add("object", eid(s) if link.kind == LinkKind.REPORTED_BY else eid(t))
        p.add("role", {"reported_by": "reported", "same_as": "same as", "has_address": "address"}[link.kind])
        p.add("date", date)
        return p
    return None


# --- GEXF 1.3 -----------------------------------------------------------------------------------


def gexf_chunks(viewer, inv: Investigation) -> Iterator[str]:
    """The network for Gephi: nodes are entities (merged as their survivor), edges the links
    folded by (source, target, kind) with their count and amount."""
    roots = _root_map(viewer, inv)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<gexf xmlns="http://gexf.net/1.3" version="1.3">\n'
    yield f"<meta><creator>anninh</creator><description>{_x(inv.code)} {_x(inv.title)}</description></meta>\n"
    yield '<graph defaultedgetype="directed" mode="static">\n'
    yield (
        '<attributes class="node"><attribute id="kind" title="kind" type="string"/>'
        '<attribute id="key" title="identifier" type="string"/><attribute id="role" title="role" type="string"/>'
        '<attribute id="ring" title="ring" type="integer"/></attributes>\n'
        '<attributes class="edge"><attribute id="kind" title="kind" type="string"/>'
        '<attribute id="count" title="count" type="integer"/><attribute id="amount" title="amount" type="double"/>'
        "</attributes>\n<nodes>\n"
    )
    for pk, label, kind, key, role, ring in (
        _entities(viewer, inv)
        .filter(merged_into__isnull=True)
        .values_list("id", "label", "kind", "key", "role", "ring")
        .iterator(chunk_size=CHUNK)
    ):
        values = f'<attvalue for="kind" value={quoteattr(kind)}/><attvalue for="key" value={quoteattr(key)}/>'
        if role:
            values += f'<attvalue for="role" value={quoteattr(role)}/>'
        if ring is not None:
            values += f'<attvalue for="ring" value="{int(ring)}"/>'
        yield f'<node id="{pk}" label={quoteattr(label)}><attvalues>{values}</attvalues></node>\n'
    yield "</nodes>\n<edges>\n"
    edges: dict[tuple[int, int, str], list[float]] = {}
    for s, t, kind, amount in (
        _links(viewer, inv).values_list("source_id", "target_id", "kind", "amount").iterator(chunk_size=CHUNK)
    ):
        e = edges.setdefault((_root(roots, s), _root(roots, t), kind), [0, 0.0])
        e[0] += 1
        e[1] += float(amount or 0)
    for i, ((s, t, kind), (count, amount)) in enumerate(edges.items()):
        yield (
            f'<edge id="{i}" source="{s}" target="{t}" weight="{count}"><attvalues>'
            f'<attvalue for="kind" value="{kind}"/><attvalue for="count" value="{count}"/>'
            f'<attvalue for="amount" value="{amount:.2f}"/></attvalues></edge>\n'
        )
    yield "</edges>\n</graph>\n</gexf>\n"


def _x(text: str) -> str:
    return quoteattr(text)[1:-1]


# --- CSV / XLSX for i2 and Excel -----------------------------------------------------------------------

LINK_COLUMNS = [
    "link_id", "link_type", "from_id", "from_type", "from_label", "from_identifier",
    "to_id", "to_type", "to_label", "to_identifier", "amount", "currency", "date", "time",
    "reference", "source_file", "sheet", "row",
]  # fmt: skip


def link_rows(viewer, inv: Investigation) -> Iterator[list]:
    """One row per link with both ends' columns (i2 Analyst's Notebook's import shape)."""
    roots = _root_map(viewer, inv)
    ents = {
        pk: (kind, label, key)
        for pk, kind, label, key in _entities(viewer, inv)
        .values_list("id", "kind", "label", "key")
        .iterator(chunk_size=CHUNK)
    }
    for link in _links(viewer, inv).iterator(chunk_size=CHUNK):
        s, t = _root(roots, link.source_id), _root(roots, link.target_id)
        sk, sl, skey = ents.get(s, ("", "", ""))
        tk, tl, tkey = ents.get(t, ("", "", ""))
        when = link.occurred_at
        yield [
            link.pk, link.kind, s, sk, sl, skey, t, tk, tl, tkey,
            "" if link.amount is None else str(link.amount), link.currency,
            when.strftime("%d/%m/%Y") if when else "", when.strftime("%H:%M:%S") if when else "",
            link.reference, link.batch.file_name if link.batch else "", link.sheet, link.row or "",
        ]  # fmt: skip


def csv_chunks(viewer, inv: Investigation) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # Excel opens UTF-8 with diacritics only with a BOM
    writer.writerow(LINK_COLUMNS)
    for i, row in enumerate(link_rows(viewer, inv)):
        writer.writerow(row)
        if i % 1000 == 999:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(viewer, inv: Investigation) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("links")
    ws.append(LINK_COLUMNS)
    for row in link_rows(viewer, inv):
        ws.append(row)
    ents = wb.create_sheet("entities")
    ents.append(["id", "type", "label", "identifier", "role", "ring", "merged_into"])
    for row in _entities(viewer, inv).values_list(
        "id", "kind", "label", "key", "role", "ring", "merged_into_id"
    ):
        ents.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

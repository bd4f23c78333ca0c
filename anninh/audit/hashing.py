"""Canonical hashing of audit rows (pure: no database access).

The hash of a row covers every stored field except the hashes themselves, in a canonical
JSON form, chained to the hash of the row before it:

    hash = sha256(prev_hash + "|" + canonical(fields))

It must be reproducible from what the database gives back, on SQLite (JSON as text) and on
PostgreSQL (jsonb, which reorders keys and stores numbers as `numeric`). So values are
cleaned before they are stored (`jsonable`) and numbers are normalised when hashed
(`canonical`): a float such as 1e20 comes back from jsonb as the integer 10**20.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import ipaddress
import json
import math
import uuid
from collections.abc import Mapping
from typing import Any

GENESIS = "0" * 64
HASHED_FIELDS = (
    "at",
    "actor_id",
    "actor_username",
    "actor_unit_code",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "extra",
    "client_ip",
)


def clean_text(value: str) -> str:
    """PostgreSQL refuses NUL characters in text and jsonb; replace them."""
    return value.replace("\x00", "\ufffd")


def normalise_ip(value: Any) -> str | None:
    """An address as the database gives it back (IPv6 compressed and lower case, IPv4
    mapped into IPv6 unpacked), or None when it is not an address at all: a broken proxy
    header must not break the request that is being audited."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(str(value).strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _plain(value: Any) -> Any:
    """Turn one value into something JSON can hold, recursively, without losing meaning."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        # NaN and infinities are not JSON (PostgreSQL refuses them): keep them as text.
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {clean_text(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True, default=str))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    pk = getattr(getattr(value, "_meta", None), "pk", None)
    if pk is not None:  # a model instance: by primary key, as snapshots do for foreign keys
        return _plain(value.pk)
    return clean_text(str(value))


def jsonable(value: Any) -> Any:
    """Round-trip a value through JSON the way the database will store it, so the hash is
    computed over exactly what is read back later. Decimals, dates and UUIDs become text."""
    if value is None:
        return None
    return json.loads(json.dumps(_plain(value), ensure_ascii=False, allow_nan=False))


def _normal_numbers(value: Any) -> Any:
    """jsonb stores numbers as `numeric`: a whole float (1.0, 1e20) may come back as an int.
    Hash whole floats as ints so both readings give the same canonical text."""
    if isinstance(value, float) and value.is_integer():
        # By its shortest decimal form, as jsonb parsed it (int(1e23) != 10**23).
        return int(decimal.Decimal(repr(value)))
    if isinstance(value, dict):
        return {k: _normal_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal_numbers(v) for v in value]
    return value


def canonical(fields: Mapping[str, Any]) -> str:
    data = {}
    for name in HASHED_FIELDS:
        value = fields.get(name)
        if name == "at" and isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        elif name in ("request_id", "client_ip") and value is not None:
            value = str(value)
        elif name in ("before", "after", "extra"):
            value = _normal_numbers(value)
        data[name] = value
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + "|" + canonical(fields)).encode("utf-8")).hexdigest()

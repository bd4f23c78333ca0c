"""Canonical hashing: the same row read back from SQLite or PostgreSQL hashes the same."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from anninh.audit.hashing import GENESIS, canonical, chain_hash, jsonable, normalise_ip

BASE = {
    "at": dt.datetime(2026, 11, 22, 7, 12, 30, 123456, tzinfo=dt.UTC),
    "actor_id": 7,
    "actor_username": "nguyen.van.a",
    "actor_unit_code": "PV01",
    "request_id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "action": "update",
    "object_type": "org.unit",
    "object_id": "3",
    "object_repr": "Công an phường Hồng Bàng",
    "before": {"name": "Cũ"},
    "after": {"name": "Mới"},
    "extra": {},
    "client_ip": "10.0.0.1",
}


def test_the_hash_does_not_depend_on_the_order_of_json_keys():
    shuffled = {**BASE, "after": {"b": 2, "a": {"y": 1, "x": 2}}}
    ordered = {**BASE, "after": {"a": {"x": 2, "y": 1}, "b": 2}}
    assert chain_hash(GENESIS, shuffled) == chain_hash(GENESIS, ordered)


def test_the_hash_covers_every_field_and_the_link():
    digest = chain_hash(GENESIS, BASE)
    for name, other in [
        ("actor_username", "someone.else"),
        ("action", "delete"),
        ("object_id", "4"),
        ("client_ip", "10.0.0.2"),
        ("after", {"name": "Khác"}),
        ("extra", {"via": "x"}),
        ("at", BASE["at"] + dt.timedelta(microseconds=1)),
    ]:
        assert chain_hash(GENESIS, {**BASE, name: other}) != digest, name
    assert chain_hash("1" * 64, BASE) != digest


def test_the_time_is_hashed_in_utc_whatever_its_time_zone():
    hanoi = dt.timezone(dt.timedelta(hours=7))
    assert canonical(BASE) == canonical({**BASE, "at": BASE["at"].astimezone(hanoi)})


def test_whole_floats_hash_like_the_integers_postgresql_gives_back():
    # jsonb keeps numbers as numeric: 1e20 and 1e23 come back as integers.
    assert chain_hash(GENESIS, {**BASE, "after": {"x": 1e20, "y": 1e23, "z": 2.0}}) == chain_hash(
        GENESIS, {**BASE, "after": {"x": 10**20, "y": 10**23, "z": 2}}
    )
    assert chain_hash(GENESIS, {**BASE, "after": {"x": 0.5}}) != chain_hash(
        GENESIS, {**BASE, "after": {"x": 1}}
    )


def test_values_are_made_json_the_way_they_will_be_stored():
    value = jsonable(
        {
            "amount": decimal.Decimal("1250000.50"),
            "day": dt.date(2026, 5, 11),
            "at": dt.datetime(2026, 5, 11, 14, 30, tzinfo=dt.UTC),
            "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
            "tags": {"b", "a"},
            "pair": (1, 2),
            "bad": float("nan"),
            "nul": "a\x00b",
            3: "int key",
        }
    )
    assert value == {
        "amount": "1250000.50",
        "day": "2026-05-11",
        "at": "2026-05-11T14:30:00+00:00",
        "id": "12345678-1234-5678-1234-567812345678",
        "tags": ["a", "b"],
        "pair": [1, 2],
        "bad": "nan",
        "nul": "a\ufffdb",
        "3": "int key",
    }
    assert jsonable(None) is None


def test_client_addresses_are_normalised_as_the_database_stores_them():
    assert normalise_ip("2001:DB8:0:0::1") == "2001:db8::1"
    assert normalise_ip("::ffff:10.1.2.3") == "10.1.2.3"
    assert normalise_ip(" 192.168.1.9 ") == "192.168.1.9"
    assert normalise_ip("not-an-address") is None
    assert normalise_ip("") is None

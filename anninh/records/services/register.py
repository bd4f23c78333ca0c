"""The registers' numbers: the receipt register of crime reports, the case register and the
incident numbers. Allocation locks one counter row per unit, register and year.

Below the services: imports no service module (reports, incidents and cases use it).
"""

from __future__ import annotations

from django.db import connection, transaction

from anninh.org.models import Unit
from anninh.records.models import RegisterCounter


def register_allocate(*, unit: Unit, register: str, year: int) -> int:
    """The next number of `unit`'s `register` ("report" or "case") for `year`.

    Must run inside the transaction that uses the number: the counter row stays locked
    (SELECT … FOR UPDATE) until it commits, so concurrent intakes queue here and get
    consecutive numbers; a rolled-back intake rolls its number back with it, and a number
    that was committed is never handed out again.
    """
    if transaction.get_autocommit():
        raise RuntimeError("register_allocate() must run inside a transaction")
    # One statement instead of insert-if-missing, SELECT … FOR UPDATE and UPDATE: the upsert
    # takes the same row lock until commit (PostgreSQL and SQLite >= 3.35 both have
    # ON CONFLICT … DO UPDATE … RETURNING).
    q = connection.ops.quote_name
    table = q(RegisterCounter._meta.db_table)
    key = ", ".join(q(c) for c in ("unit_id", "register", "year"))
    last = q("last")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {last}) VALUES (%s, %s, %s, 1) "  # noqa: S608 - names quoted from the model
            f"ON CONFLICT ({key}) DO UPDATE SET {last} = {table}.{last} + 1 RETURNING {last}",
            [unit.pk, register, year],
        )
        return cursor.fetchone()[0]


def register_number(unit: Unit, year: int, seq: int) -> str:
    """`CA11311-2026-000123`: unit code, year of receipt, sequence in that year."""
    return f"{unit.code[:26]}-{year:04d}-{seq:06d}"


def case_number(unit: Unit, year: int, seq: int) -> str:
    """`VA-PC02-2026-000012` (vụ án): handling unit, year of initiation, sequence."""
    return f"VA-{unit.code[:23]}-{year:04d}-{seq:06d}"


def incident_number(unit_code: str, year: int, seq: int) -> str:
    """`VV-CA11311-2026-000123` (vụ việc): responsible unit, year reported, sequence."""
    return f"VV-{unit_code[:23]}-{year:04d}-{seq:06d}"

"""Accounts and API tokens for a load run, in the database of DATABASE_URL (or the SQLite file
of ANNINH_SQLITE_PATH), which must hold the demo data (`ANNINH_DEMO=1 manage.py demo_seed`).

    python benchmarks/load/prepare.py --officers 50 --commanders 20 --out WORKDIR/users.json

Creates (or reuses) `load.officer.NN` (commune officers, two per commune over the communes with
the most demo incidents) and `load.commander.NN` (city-wide commanders), each with a fresh
one-day API token (read-write for officers, read-only for commanders); writes what the load
generator needs (tokens, unit ids, a point inside each officer's commune) as JSON. Every account and token creation is audited as a system action.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")

PASSWORD = "Load-Bench-2026!x"  # noqa: S105 - synthetic bench accounts; the run uses tokens


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--commanders", type=int, default=20)
    ap.add_argument("--out", required=True, help="JSON file to write")
    args = ap.parse_args()

    import django

    django.setup()
    from django.db.models import Count

    from anninh.accounts import services
    from anninh.accounts.models import APIToken, User
    from anninh.accounts.roles import Role
    from anninh.geo.models import Commune
    from anninh.org.models import Unit
    from anninh.records.models import Incident

    system = services.SystemActor("load_prepare")
    busiest = [
        row["commune_id"]
        for row in Incident.objects.values("commune_id").annotate(n=Count("id")).order_by("-n", "commune_id")
    ]
    communes = []
    for code in busiest:
        unit = Unit.objects.active().filter(code=f"CA{code}").first()
        if unit is not None:
            communes.append((Commune.objects.get(pk=code), unit))
        if len(communes) * 2 >= args.officers:
            break
    if not communes:
        raise SystemExit("no incidents: seed the demo data first (ANNINH_DEMO=1 manage.py demo_seed)")
    city = Unit.objects.active().get(code="CAHP")

    def account(username: str, full_name: str, unit, role: str, scope: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = services.user_create(
                actor=system,
                username=username,
                full_name=full_name,
                unit=unit,
                roles=[role],
                password=PASSWORD,
            )
        _token, raw = services.api_token_create(actor=system, user=user, name="load run", days=1, scope=scope)
        return raw

    out: dict = {"officers": [], "commanders": []}
    for i in range(args.officers):
        commune, unit = communes[i % len(communes)]
        raw = account(
            f"load.officer.{i + 1:02d}",
            f"Cán bộ tải {i + 1:02d}",
            unit,
            Role.COMMUNE_OFFICER,
            APIToken.Scope.WRITE,
        )
        out["officers"].append(
            {
                "username": f"load.officer.{i + 1:02d}",
                "token": raw,
                "unit_id": unit.pk,
                "commune": commune.code,
                "lat": commune.point_lat,
                "lon": commune.point_lon,
            }
        )
    for i in range(args.commanders):
        raw = account(
            f"load.commander.{i + 1:02d}",
            f"Chỉ huy tải {i + 1:02d}",
            city,
            Role.COMMANDER,
            APIToken.Scope.READ,
        )
        out["commanders"].append({"username": f"load.commander.{i + 1:02d}", "token": raw})
    out["communes"] = [c.code for c, _u in communes]
    Path(args.out).write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"{len(out['officers'])} officers in {len(communes)} communes, {len(out['commanders'])} commanders")


if __name__ == "__main__":
    main()

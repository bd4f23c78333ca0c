"""What the public load run needs, in the database of DATABASE_URL (or ANNINH_SQLITE_PATH), which
must be migrated (the migrations load the communes, units and the requests' service catalogue).

    python benchmarks/load/public_prepare.py --out WORKDIR/public.json

Adds (once: a second call reuses them) published warnings (by a press officer, approved by a
commander, through the services), thirteen months of crime and fire counts per commune for the
transparency page, and a few hundred requests filed through the service as an Open311 client
would (the listed ones feed `GET requests.json`). Creates a fresh Open311 client for the run
(its api_key is written to the JSON, only its SHA-256 is in the database). Writes the ids the
readers use and the submitters' points and services.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")

MARK = "(tải công khai)"  # in every synthetic warning title and request


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--warnings", type=int, default=12)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()

    import django

    django.setup()
    from django.db import transaction

    from anninh.audit.models import AuditAction
    from anninh.audit.services import audit_record
    from anninh.compstat.models import IncidentMonth
    from anninh.geo.models import Commune
    from anninh.org.models import Unit
    from anninh.public.models import ScamWarning as Warning
    from anninh.public.tests.factories import publish_warning
    from anninh.requests import services as request_services
    from anninh.requests.models import Open311Client, RequestSource, Service, ServiceRequest
    from anninh.testing.personas import make_user

    rng = random.Random(14)
    communes = list(Commune.objects.exclude(point_lat__isnull=True).order_by("code"))
    tricks = ["police_impersonation", "fake_trading", "loan_app", "fake_job", "fake_bank_sms"]
    if not Warning.objects.filter(title_vi__contains=MARK).exists():
        press = make_user("loadpub.press", "public_relations", unit_code="PV01")
        chief = make_user("loadpub.chief", "commander", unit_code="CAHP")
        for i in range(args.warnings):
            picked = rng.sample(communes, 3)
            publish_warning(
                drafter=press,
                approver=chief,
                commune_codes=[c.code for c in picked],
                trick=tricks[i % len(tricks)],
                title_vi=f"Cảnh báo thủ đoạn số {i + 1} {MARK}",
                title_en=f"Warning number {i + 1} (public load)",
            )
    if not IncidentMonth.objects.exists():
        units = {
            u.commune_id: u.pk for u in Unit.objects.filter(commune__isnull=False, valid_to__isnull=True)
        }
        month = dt.date.today().replace(day=1)
        months = []
        for _ in range(13):
            month = (month - dt.timedelta(days=1)).replace(day=1)
            months.append(month)
        rows = [
            IncidentMonth(month=m, commune_id=c.code, responsible_unit_id=units[c.code], kind=kind, n=n)
            for c in communes
            if c.code in units
            for m in months
            for kind, mean in (("crime", 6), ("fire", 1))
            if (n := max(0, int(rng.gauss(mean, mean))))
        ]
        IncidentMonth.objects.bulk_create(rows)

    key = secrets.token_urlsafe(32)
    with transaction.atomic():
        client = Open311Client.objects.create(
            name=f"Tải công khai {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}",
            key_hash=hashlib.sha256(key.encode()).hexdigest(),
        )
        audit_record(actor=None, action=AuditAction.CREATE, target=client, extra={"via": "public_prepare"})

    services = list(Service.objects.filter(active=True).values_list("code", "listed"))
    listed = [code for code, is_listed in services if is_listed] or [code for code, _l in services]
    existing = ServiceRequest.objects.unrestricted().filter(description__contains=MARK).count()
    for i in range(existing, args.requests):
        commune = rng.choice(communes)
        request_services.request_submit(
            data=request_services.Submission(
                service_code=listed[i % len(listed)],
                description=f"Yêu cầu mẫu số {i + 1} {MARK}: đèn đường hỏng, tụ tập gây ồn về đêm.",
                anonymity="anonymous",
                commune_code="",
                lat=commune.point_lat,
                lon=commune.point_lon,
                address="",
                name="",
                phone="",
                email="",
                organisation="",
            ),
            client_ip=None,
            source=RequestSource.OPEN311,
            api_client=client,
        )
    public_ids = list(
        ServiceRequest.objects.unrestricted()
        .filter(description__contains=MARK)
        .order_by("id")
        .values_list("public_id", flat=True)
    )
    out = {
        "api_key": key,
        "warnings": list(
            Warning.objects.filter(title_vi__contains=MARK).order_by("id").values_list("pk", flat=True)
        ),
        "request_ids": public_ids,
        "services": [code for code, _l in services],
        "points": [[c.code, c.point_lat, c.point_lon] for c in communes],
    }
    Path(args.out).write_text(json.dumps(out, indent=1), encoding="utf-8")
    print(f"{len(out['warnings'])} warnings, {len(public_ids)} requests, {len(services)} services")


if __name__ == "__main__":
    main()

"""Synthetic arrests and wanted notices for the demo, made from the synthetic records: the
suspects of recorded crimes are arrested by the responsible unit (caught in the act, urgent,
or on a warrant, linked to the incident's case) and some are wanted, most caught later.
Deterministic in its seed; skipped when synthetic arrests exist; one audit row."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.enforcement.models import Arrest, ArrestBasis, WantedPerson, WantedStatus
from anninh.records.models import Case, IncidentPerson, PersonRole

SEED = 1108
MAX_SUSPECTS = 6000


def enforcement_demo_seed(progress: Callable[[str], None] | None = None, *, seed: int = SEED) -> dict:
    if (
        Arrest.objects.unrestricted().filter(is_synthetic=True).exists()
        or WantedPerson.objects.unrestricted().filter(is_synthetic=True).exists()
    ):
        return {"skipped": True}
    from anninh.records.services.io import system_user

    rng = random.Random(seed)
    actor = system_user()
    links = list(
        IncidentPerson.objects.unrestricted()
        .filter(role=PersonRole.SUSPECT, incident__is_synthetic=True, incident__kind="crime")
        .order_by("id")
        .values_list(
            "person_id",
            "incident_id",
            "incident__occurred_from",
            "incident__commune_id",
            "incident__responsible_unit_id",
        )[:MAX_SUSPECTS]
    )
    cases = dict(
        Case.objects.unrestricted()
        .filter(incident_id__in=[link[1] for link in links])
        .values_list("incident_id", "id")
    )
    now = timezone.now()
    arrests: list[Arrest] = []
    wanted: list[WantedPerson] = []
    for n, (person, incident, occurred, commune, unit) in enumerate(links):
        draw = rng.random()
        if draw < 0.55:  # arrested soon after
            when = occurred + dt.timedelta(hours=rng.randint(0, 72))
            basis = ArrestBasis.IN_THE_ACT if when - occurred < dt.timedelta(hours=6) else ArrestBasis.URGENT
            if when < now:
                arrests.append(
                    Arrest(
                        person_id=person,
                        arrested_at=when,
                        commune_id=commune,
                        unit_id=unit,
                        basis=basis,
                        case_id=cases.get(incident),
                        created_by=actor,
                        is_synthetic=True,
                        place="[Dữ liệu giả lập]",
                    )
                )
        elif draw < 0.65:  # fled: wanted, most caught within months
            issued = (occurred + dt.timedelta(days=rng.randint(10, 40))).date()
            if issued >= timezone.localdate():
                continue
            caught = issued + dt.timedelta(days=rng.randint(5, 200))
            notice = WantedPerson(
                person_id=person,
                warrant_number=f"{n:05d}/QĐ-TN",
                issuing_body="Cơ quan CSĐT Công an TP Hải Phòng",
                issued_on=issued,
                commune_id=commune,
                unit_id=unit,
                created_by=actor,
                is_synthetic=True,
            )
            if caught < timezone.localdate() and rng.random() < 0.8:
                notice.status = WantedStatus.CAUGHT if rng.random() < 0.85 else WantedStatus.SURRENDERED
                notice.caught_on = caught
                notice.caught_by_id = unit
            wanted.append(notice)
    if not arrests and not wanted:
        return {"arrests": 0, "wanted": 0}
    with transaction.atomic():
        WantedPerson.objects.bulk_create(wanted, batch_size=1000)
        caught_arrests = [
            Arrest(
                person_id=w.person_id,
                arrested_at=dt.datetime.combine(w.caught_on, dt.time(9), tzinfo=dt.UTC),
                commune_id=w.commune_id,
                unit_id=w.caught_by_id,
                basis=ArrestBasis.WANTED,
                wanted_id=w.pk,
                created_by=actor,
                is_synthetic=True,
                place="[Dữ liệu giả lập]",
            )
            for w in wanted
            if w.status == WantedStatus.CAUGHT
        ]
        Arrest.objects.bulk_create(arrests + caught_arrests, batch_size=1000)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="enforcement.arrest",
            extra={"synthetic": True, "arrests": len(arrests) + len(caught_arrests), "wanted": len(wanted)},
        )
    return {"arrests": len(arrests) + len(caught_arrests), "wanted": len(wanted)}

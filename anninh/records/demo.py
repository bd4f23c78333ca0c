"""Synthetic records for the demo and for benchmarks: about three years of a city's incidents,
with their offences, people, losses, cases (cleared or not), crime reports at every stage of
their legal clock, and fire-and-rescue reports.

    records_demo_seed()                     # registered in anninh.demo.services.SEEDERS
    records_generate(incidents=1_000_000)   # manage.py records_generate --incidents 1000000

Everything is labelled synthetic (is_synthetic=True; narratives start "[Dữ liệu giả lập]";
people live at made-up addresses), deterministic in its seed, and written in bulk (anninh.
records.services.io_fast) inside one transaction with one audit row. Running the demo seeder
again does nothing once synthetic incidents exist; `records_generate` with a seed it already
used does nothing either (the external ids SYN-<seed>-<n> say which rows it wrote).

The incidents themselves are planned in anninh.records.services.io_synthetic (offence mix,
communes weighted by population and density, Tết and summer seasons, near-repeats, points
inside the commune boundaries).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.lib.dates import HCM_TZ
from anninh.records.deadlines import ClockEvent, ClockEventKind, clock_state
from anninh.records.models import (
    FIRE_RESCUE_KINDS,
    Case,
    CaseStatusChange,
    CrimeReport,
    DayOff,
    FireRescueDetail,
    Incident,
    IncidentLoss,
    IncidentOffence,
    IncidentPerson,
    Offence,
    Person,
    PersonPhone,
    RecordEvent,
    ReportClockEvent,
    ResponseTime,
)
from anninh.records.services.io_fast import (
    FastTable,
    insert_dicts,
    insert_models,
    reserve_ids,
)
from anninh.records.services.io_import import search_key
from anninh.records.services.io_synthetic import (
    SYNTHETIC,
    TYPE_BY_KEY,
    PlannedIncident,
    communes_from_db,
    demo_plan,
    plan_row,
)
from anninh.records.services.io_synthetic_parts import (
    ANY_CRIME,
    People,
    Register,
    fire_detail,
    loss_item,
    plan_case_and_report,
    response_times_for,
)

DEMO_INCIDENTS = 20_000
# The steps `records_generate` reports to its progress callback.
PHASES = ("planning", "incidents", "people", "crime reports and cases", "fire and rescue")
DEMO_SEED = 20230701
CHUNK = 20_000


def demo_size() -> int:
    """Incidents the demo seeds: ANNINH_DEMO_INCIDENTS (a setting or the environment), else
    20,000. A test suite sets it small."""
    value = getattr(settings, "ANNINH_DEMO_INCIDENTS", None) or os.environ.get("ANNINH_DEMO_INCIDENTS")
    return int(value) if value else DEMO_INCIDENTS


def records_demo_seed(
    progress: Callable[[str], None] | None = None,
    *,
    incidents: int | None = None,
    seed: int = DEMO_SEED,
    end: dt.datetime | None = None,
) -> dict[str, Any]:
    """The demo's records (SEEDERS entry): skipped when synthetic incidents already exist."""
    if Incident.objects.unrestricted().filter(is_synthetic=True).exists():
        return {
            "skipped": True,
            "incidents": Incident.objects.unrestricted().filter(is_synthetic=True).count(),
        }
    return records_generate(incidents=incidents or demo_size(), seed=seed, end=end, progress=progress)


def external_id(seed: int, index: int) -> str:
    return f"SYN-{seed}-{index:07d}"


def records_generate(
    *,
    incidents: int,
    seed: int = DEMO_SEED,
    end: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Write `incidents` synthetic incidents (and what goes with them) in bulk. Nothing when
    this seed was already generated."""
    from anninh.records.services.io import system_user

    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured("synthetic records are never written to a production database")
    if Incident.objects.unrestricted().filter(external_id=external_id(seed, 0)).exists():
        return {"skipped": True, "seed": seed}
    end = end or timezone.now()
    say = progress or (lambda message: None)
    say(f"records: planning {incidents} synthetic incidents")
    communes = communes_from_db()
    plan = demo_plan(communes=communes, incidents=incidents, seed=seed, end=end)
    actor = system_user()
    with transaction.atomic():
        counts = _write(plan, seed=seed, actor=actor, end=end, communes=[c.code for c in communes], say=say)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="records.synthetic",
            object_repr=f"synthetic records, seed {seed}",
            after={"seed": seed, **counts},
            extra={"synthetic": True},
        )
    return counts


def write_plan_csv(
    path: Path,
    *,
    incidents: int,
    seed: int,
    end: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The plan as a CSV file in the import format (for import benchmarks)."""
    plan = demo_plan(communes=communes_from_db(), incidents=incidents, seed=seed, end=end or timezone.now())
    columns = list(plan_row(plan[0], external_id="")) if plan else []
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        for start in range(0, len(plan), CHUNK):
            writer.writerows(
                plan_row(p, external_id=external_id(seed, p.index)) for p in plan[start : start + CHUNK]
            )
            if progress:
                progress(len(plan[start : start + CHUNK]))
    return len(plan)


# Writing ------------------------------------------------------------------------------------


def _write(
    plan: list[PlannedIncident],
    *,
    seed: int,
    actor,
    end: dt.datetime,
    communes: list[str],
    say: Callable[[str], None],
) -> dict[str, int]:
    from anninh.org.models import Unit
    from anninh.records.services.incidents import incident_number
    from anninh.records.services.register import case_number, register_number

    rng = np.random.default_rng(seed + 1)
    today = end.astimezone(HCM_TZ).date()
    units = {u.code: u for u in Unit.objects.active()}
    offences: dict[str, list[Offence]] = {}
    for offence in Offence.objects.order_by("article", "-valid_from"):
        offences.setdefault(offence.article, []).append(offence)
    days_off = list(DayOff.objects.values_list("date", flat=True))
    numbers = Register("incident")
    report_numbers = Register("report")
    case_numbers = Register("case")
    people = People(rng, communes, today)
    actor_id = actor.pk
    actor_name = actor.full_name or actor.username

    def offence_for(article: str, on: dt.date) -> Offence | None:
        for version in offences.get(article, []):
            if version.valid_from <= on and (version.valid_to is None or version.valid_to >= on):
                return version
        return None

    say("records: incidents")
    ids = reserve_ids(Incident, len(plan))
    incident_rows, offence_rows, loss_rows, events = [], [], [], []
    victims: dict[int, int] = {}  # incident index → person index
    suspects: dict[int, list[int]] = {}
    person_links: list[tuple[int, int, str]] = []  # (incident index, person index, role)
    cases: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    fire_rows, response_rows = [], []
    table = FastTable(
        Incident,
        [
            "number",
            "external_id",
            "kind",
            "occurred_from",
            "occurred_to",
            "reported_at",
            "commune_id",
            "address",
            "lat",
            "lon",
            "premises",
            "narrative",
            "responsible_unit_id",
            "offence_group",
            "losses_vnd",
            "search_key",
            "review_status",
            "created_by_id",
            "created_at",
            "updated_at",
            "is_synthetic",
        ],
    )
    draws = rng.random((len(plan), 12))
    for p, pk in zip(plan, ids, strict=True):
        u = draws[p.index]
        kind = TYPE_BY_KEY[p.type]
        unit = units[p.unit_code]
        reported_local = p.reported_at.astimezone(HCM_TZ)
        number = incident_number(unit.code, reported_local.year, numbers.next(unit.pk, reported_local.year))
        offence = offence_for(p.article, p.occurred_from.date()) if p.article else None
        group = offence.group if offence else ""
        created = p.reported_at + dt.timedelta(minutes=5 + int(u[0] * 60))
        created = min(created, end)
        incident_rows.append(
            table.row(
                pk,
                (
                    number,
                    external_id(seed, p.index),
                    p.kind,
                    p.occurred_from,
                    p.occurred_to,
                    p.reported_at,
                    p.commune,
                    p.address,
                    p.lat,
                    p.lon,
                    p.premises,
                    p.narrative,
                    unit.pk,
                    group,
                    p.losses_vnd,
                    search_key(number, p.address, p.narrative),
                    p.review_status,
                    actor_id,
                    created,
                    created,
                    True,
                ),
            )
        )
        if offence is not None:
            offence_rows.append((pk, offence.pk, p.clause, True))
        if p.losses_vnd:
            first = p.losses_vnd if u[1] < 0.6 else int(round(p.losses_vnd * (0.4 + u[2] * 0.4), -4))
            loss_rows.append((pk, loss_item(p.type, u[3]), first, False))
            if first < p.losses_vnd:
                loss_rows.append((pk, "Tiền mặt", p.losses_vnd - first, False))
        events.append(
            (
                "records.incident",
                pk,
                actor_id,
                actor_name,
                "created",
                p.review_status,
                f"{SYNTHETIC} synthetic record",
                1,
                {"number": number, "kind": p.kind, "synthetic": True},
                {},
                created,
            )
        )
        # People: the victim, and (below, when cleared) the suspects.
        if kind.victims and u[4] < kind.victims:
            victims[p.index] = people.new(commune=p.commune)
            person_links.append((p.index, victims[p.index], "victim"))
        # Cases and crime reports for crimes.
        if p.kind in ANY_CRIME and offence is not None:
            plan_case_and_report(p, pk, u, kind, offence, unit, units, end, today, cases, reports)
        if p.kind in FIRE_RESCUE_KINDS:
            fire_rows.append(fire_detail(p, pk, u))
            response_rows.extend(
                response_times_for(p, pk, u, units["PC07"].pk, units.get(f"CA{p.commune}"), end)
            )

    # Suspects of cleared cases: repeat offenders follow their earlier events (near-repeats).
    for case in cases:
        if case["offender_identified_at"] is None:
            continue
        p = plan[case["plan_index"]]
        earlier = suspects.get(p.parent) if p.parent is not None else None
        chosen = list(earlier) if earlier and rng.random() < 0.4 else []
        if not chosen:
            many = p.type in ("gambling", "gambling_org", "drug_den")
            count = 1 + int(rng.integers(0, 5 if many else 2))
            chosen = [people.new(commune=p.commune) for _ in range(count)]
        suspects[p.index] = chosen
        case["arrests"] = len(chosen)
        for person in chosen:
            person_links.append((p.index, person, "suspect"))

    table.insert(incident_rows)
    insert_models(IncidentOffence, ["incident_id", "offence_id", "clause", "is_main"], offence_rows)
    insert_models(IncidentLoss, ["incident_id", "description", "value_vnd", "recovered"], loss_rows)
    insert_models(
        RecordEvent,
        [
            "object_type",
            "object_id",
            "actor_id",
            "actor_name",
            "kind",
            "to_status",
            "comment",
            "version",
            "snapshot",
            "changes",
            "at",
        ],
        events,
    )
    say("records: people")
    people.avoid_existing()
    person_ids = insert_models(
        Person,
        ["full_name", "name_key", "sort_key", "birth_year", "cccd", "address", "commune_id", "province_code"],
        people.rows,
    )
    insert_models(PersonPhone, ["person_id", "number"], [(person_ids[i], n) for i, n in people.phone_rows])
    seen_links: set[tuple[int, int, str]] = set()
    link_rows = []
    for index, person, role in person_links:
        key = (ids[index], person_ids[person], role)
        if key not in seen_links:
            seen_links.add(key)
            link_rows.append((*key, ""))
    insert_models(IncidentPerson, ["incident_id", "person_id", "role", "note"], link_rows)

    say("records: crime reports and cases")
    report_ids = reserve_ids(CrimeReport, len(reports))
    report_rows, clock_rows, report_links = [], [], []
    report_by_incident: dict[int, int] = {}
    report_table = FastTable(
        CrimeReport,
        [
            "register_number",
            "register_year",
            "register_seq",
            "receiving_unit_id",
            "handling_unit_id",
            "transfer_to_id",
            "kind",
            "channel",
            "received_at",
            "reporter_id",
            "reporter_confidential",
            "reporter_agency",
            "summary",
            "address",
            "commune_id",
            "lat",
            "lon",
            "suspected_offence_id",
            "status",
            "due_on",
            "extended",
            "procuracy_extended",
            "decided_on",
            "decided_within_deadline",
            "reporter_notified_on",
            "procuracy_notified_on",
            "review_status",
            "collector_account",
            "created_by_id",
            "created_at",
            "updated_at",
            "is_synthetic",
        ],
    )
    report_events = []
    overdue = 0
    for report, pk in zip(reports, report_ids, strict=True):
        p = plan[report["plan_index"]]
        received_local = p.reported_at.astimezone(HCM_TZ)
        receiving = report["receiving"]
        seq = report_numbers.next(receiving.pk, received_local.year)
        clock = [ClockEvent(ClockEventKind(kind), on, months) for kind, on, months in report["clock"]]
        state = clock_state(received_local.date(), clock, days_off=days_off)
        before = [e for e in clock if e.kind not in (ClockEventKind.DECIDE, ClockEventKind.SUSPEND)]
        due_before = clock_state(received_local.date(), before, days_off=days_off).due
        decided_on = report["decided_on"]
        overdue += state.due is not None and state.due < today
        reporter = victims.get(p.index) if report["kind"] == "to_giac" else None
        report_rows.append(
            report_table.row(
                pk,
                (
                    register_number(receiving, received_local.year, seq),
                    received_local.year,
                    seq,
                    receiving.pk,
                    report["handling"].pk,
                    report["transfer_to"].pk if report["transfer_to"] else None,
                    report["kind"],
                    report["channel"],
                    p.reported_at,
                    person_ids[reporter] if reporter is not None else None,
                    report["confidential"],
                    report["agency"],
                    p.narrative,
                    p.address,
                    p.commune,
                    p.lat,
                    p.lon,
                    report["offence"].pk,
                    report["status"],
                    state.due,
                    state.extended,
                    state.procuracy_extended,
                    decided_on,
                    (decided_on <= due_before) if decided_on and due_before else None,
                    report["notified"],
                    report["procuracy_notified"],
                    "approved" if p.review_status == "approved" else "draft",
                    report["collector_account"],
                    actor_id,
                    p.reported_at,
                    p.reported_at,
                    True,
                ),
            )
        )
        for kind, on, months in report["clock"]:
            clock_rows.append((pk, kind, on, months, SYNTHETIC, actor_id))
        report_links.append((ids[p.index], pk))
        report_by_incident[p.index] = pk
        report_events.append(
            (
                "records.crimereport",
                pk,
                actor_id,
                actor_name,
                "received",
                "received",
                SYNTHETIC,
                1,
                {"synthetic": True},
                {},
                p.reported_at,
            )
        )
    report_table.insert(report_rows)
    insert_models(
        ReportClockEvent, ["report_id", "kind", "on", "months", "note", "created_by_id"], clock_rows
    )
    insert_models(Incident.crime_reports.through, ["incident_id", "crimereport_id"], report_links)
    insert_models(
        RecordEvent,
        [
            "object_type",
            "object_id",
            "actor_id",
            "actor_name",
            "kind",
            "to_status",
            "comment",
            "version",
            "snapshot",
            "changes",
            "at",
        ],
        report_events,
    )

    case_rows, changes = [], []
    for case in cases:
        p = plan[case["plan_index"]]
        handling = case["handling"]
        initiated = case["initiated_on"]
        identified = case["offender_identified_at"]
        case_rows.append(
            {
                "number": case_number(
                    handling, initiated.year, case_numbers.next(handling.pk, initiated.year)
                ),
                "initiated_on": initiated,
                "incident_id": ids[p.index],
                "crime_report_id": report_by_incident.get(p.index),
                "handling_unit_id": handling.pk,
                "offence_id": case["offence"].pk,
                "offence_group": case["offence"].group,
                "occurred_at": p.occurred_from,
                "commune_id": p.commune,
                "summary": p.narrative,
                "status": case["status"],
                "offender_identified_at": identified,
                "clearing_unit_id": handling.pk if identified else None,
                "arrests": case.get("arrests", 0),
                "closed_on": case["closed_on"],
                "created_by_id": actor_id,
                "is_synthetic": True,
            }
        )
    case_ids = insert_dicts(Case, case_rows)
    for case, pk in zip(cases, case_ids, strict=True):
        initiated = case["initiated_on"]
        identified = case["offender_identified_at"]
        opened = dt.datetime.combine(initiated, dt.time(8, 0), tzinfo=HCM_TZ)
        changes.append((pk, "", "open", opened, SYNTHETIC, actor_id))
        if case["status"] != "open":
            effective = identified or dt.datetime.combine(
                case["closed_on"] or initiated, dt.time(16, 0), tzinfo=HCM_TZ
            )
            changes.append((pk, "open", case["status"], max(effective, opened), SYNTHETIC, actor_id))
    insert_models(
        CaseStatusChange,
        ["case_id", "from_status", "to_status", "effective_at", "note", "created_by_id"],
        changes,
    )

    say("records: fire and rescue")
    insert_models(
        FireRescueDetail,
        [
            "incident_id",
            "cause",
            "dead",
            "injured",
            "rescued",
            "victims_found",
            "damage_vnd",
            "forces",
            "vehicles",
            "river",
            "vessel",
        ],
        fire_rows,
    )
    insert_models(
        ResponseTime,
        ["incident_id", "unit_id", "alerted_at", "dispatched_at", "arrived_at", "controlled_at", "ended_at"],
        response_rows,
    )
    for register in (numbers, report_numbers, case_numbers):
        register.save()
    return {
        "incidents": len(plan),
        "offences": len(offence_rows),
        "persons": len(people.rows),
        "crime_reports": len(reports),
        "cases": len(cases),
        "cleared": sum(1 for c in cases if c["offender_identified_at"] is not None),
        "fire_rescue": len(fire_rows),
        "overdue_reports": overdue,
    }

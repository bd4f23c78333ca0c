"""Writing incidents: create and update (optimistic locking), with their offences, people,
losses, linked crime reports and, for fires, explosions and rescues, the after-action report.

Pages, the API, imports and demo data all write through here. Each call checks the actor's
permission, validates everything it is given (collecting every problem, so a form can show
them all at once), then writes in ONE transaction together with its audit row and a timeline
entry. Nothing is saved when anything is wrong.

    data = IncidentData(kind="crime", occurred_from=..., reported_at=..., responsible_unit_id=...)
    incident = incident_create(actor=user, data=data)
    incident = incident_update(actor=user, incident=incident, data=data, version=incident.version)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, diff, snapshot
from anninh.lib.dates import HCM_TZ, format_date_vn
from anninh.lib.errors import ValidationProblem
from anninh.lib.money import MAX_VND, format_vnd, parse_vnd
from anninh.lib.text import fold, normalize
from anninh.records.models import (
    FIRE_RESCUE_KINDS,
    Case,
    CrimeReport,
    FireRescueDetail,
    Incident,
    IncidentKind,
    IncidentLoss,
    IncidentOffence,
    IncidentPerson,
    Offence,
    PersonRole,
    PremisesType,
    RecordEvent,
    ResponseTime,
    ReviewStatus,
    River,
)
from anninh.records.permissions import acting_unit_ids, can_review
from anninh.records.services.articles import normalise_article, offence_on
from anninh.records.services.persons import (
    clean_text,
    person_fields_clean,
    person_identity_check,
    person_ids_clean,
    person_resolve,
    sex_clean,
)
from anninh.records.services.register import incident_number, register_allocate
from anninh.records.versioning import ConflictError, RecordError, object_type_of, save_versioned

__all__ = [
    "Children",
    "ConflictError",
    "FireRescueData",
    "IncidentData",
    "InvalidRecord",
    "LossData",
    "OffenceData",
    "PersonData",
    "RecordError",
    "ResponseTimeData",
    "incident_children",
    "incident_create",
    "incident_snapshot",
    "incident_update",
]

# Roles that write incidents (others read, or see nothing).
WRITER_ROLES = (Role.INVESTIGATOR, Role.COMMUNE_OFFICER, Role.FIRE_RESCUE)
# A clock a few minutes fast on a terminal must not make "now" look like the future.
CLOCK_SKEW = dt.timedelta(minutes=5)
# Nothing this platform records happened before this (sanity bound for typing slips).
EARLIEST = dt.datetime(1950, 1, 1, tzinfo=HCM_TZ)
MAX_COUNT = 1_000_000  # people, officers, vehicles: beyond this it is a typing slip
MAX_ROWS = {"offences": 20, "persons": 100, "losses": 200, "response_times": 50, "crime_reports": 50}
RESPONSE_STEPS = ("alerted_at", "dispatched_at", "arrived_at", "controlled_at", "ended_at")


class InvalidRecord(RecordError):
    """Several problems found at once; `errors` lists each (with its field path, e.g.
    "losses.1.value_vnd"), so a form can put every message next to its field."""

    def __init__(self, errors: Sequence[RecordError]):
        errors = list(errors)
        super().__init__(errors[0].code, " ".join(e.message for e in errors), field=errors[0].field)
        self.errors = errors


# Input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OffenceData:
    article: str  # "173", "256a"; "Điều 173" is accepted too
    clause: int | None = None
    is_main: bool = False


@dataclass(frozen=True)
class PersonData:
    """A victim, suspect or witness. `person_id` keeps a person already linked to this
    incident (only role and note change); otherwise the person is found or created from the
    identifiers with anninh.records.services.persons.person_resolve."""

    role: str
    full_name: str = ""
    cccd: str = ""
    phone: str = ""
    birth_year: int | None = None
    sex: str = ""  # anninh.records.models.Sex; "" = not known
    address: str = ""
    note: str = ""
    person_id: int | None = None


@dataclass(frozen=True)
class LossData:
    description: str
    value_vnd: int | str  # an int, or what a user typed ("12.500.000 ₫"); parsed with parse_vnd
    recovered: bool = False


@dataclass(frozen=True)
class ResponseTimeData:
    unit_id: int
    alerted_at: dt.datetime | None = None
    dispatched_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    controlled_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None


@dataclass(frozen=True)
class FireRescueData:
    cause: str = ""
    dead: int = 0
    injured: int = 0
    rescued: int = 0
    victims_found: int = 0
    damage_vnd: int | str = 0
    forces: int = 0
    vehicles: int = 0
    river: str = ""
    vessel: str = ""
    response_times: tuple[ResponseTimeData, ...] = ()


@dataclass(frozen=True)
class IncidentData:
    """Everything an incident form or API body says. On update it replaces the record (and
    its offences, people, losses, reports and fire-rescue report) as a whole."""

    kind: str
    occurred_from: dt.datetime | None
    reported_at: dt.datetime | None
    responsible_unit_id: int | None
    occurred_to: dt.datetime | None = None
    lat: float | None = None
    lon: float | None = None
    commune_code: str = ""  # used only when no point is given; a point decides the commune
    address: str = ""
    premises: str = PremisesType.OTHER
    narrative: str = ""
    offences: tuple[OffenceData, ...] = ()
    persons: tuple[PersonData, ...] = ()
    losses: tuple[LossData, ...] = ()
    crime_report_ids: tuple[int, ...] = ()
    crime_report_numbers: tuple[str, ...] = ()  # register numbers, as an officer types them
    fire_rescue: FireRescueData | None = None


@dataclass
class _Clean:
    """Validated values, ready to write."""

    fields: dict[str, Any]
    offences: list[tuple[Offence, int | None, bool]]
    persons: list[PersonData]
    losses: list[tuple[str, int, bool]]
    reports: list[CrimeReport]
    fire_rescue: dict[str, Any] | None
    response_times: list[dict[str, Any]] = field(default_factory=list)


# Helpers ---------------------------------------------------------------------------------


def _clean_text(value: str, max_length: int, *, multiline: bool = False) -> str:
    """Text made safe to store (no control characters or lone surrogates, which PostgreSQL
    refuses), in its canonical Vietnamese form, cut to `max_length`."""
    return normalize(clean_text(str(value or ""), multiline=multiline))[:max_length]


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=HCM_TZ)
    return value


def writer_kinds(actor) -> frozenset[str]:
    """Incident kinds `actor` may record: fire-and-rescue officers only fires, explosions and
    rescues; investigators and commune officers every kind."""
    if actor.has_role(Role.INVESTIGATOR, Role.COMMUNE_OFFICER):
        return frozenset(IncidentKind.values)
    if actor.has_role(Role.FIRE_RESCUE):
        return frozenset(FIRE_RESCUE_KINDS)
    return frozenset()


def _check_actor(actor) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*WRITER_ROLES):
        raise RecordError("permission.role", _("You cannot record incidents."))


def _person_label(link: IncidentPerson) -> str:
    return f"{link.role}:{link.person_id}"


@dataclass
class Children:
    """An incident's rows below it, as the database lists them: read once before an update
    (for the *before* snapshot, the people already linked and the reports to unlink), or
    kept from what a create or update has just written (for the *after* snapshot and the
    API's answer, without reading them back). `response_times` None: not known, read it."""

    offence_links: list[IncidentOffence]  # in the order of IncidentOffence.Meta: main first, then id
    person_links: list[IncidentPerson]
    losses: list[IncidentLoss]  # by id
    report_ids: list[int]  # sorted
    fire_rescue: FireRescueDetail | None
    response_times: list[ResponseTime] | None  # by unit id
    created: bool = False  # written by incident_create: nothing else can be linked to it yet


def _fire_rescue_of(incident: Incident) -> FireRescueDetail | None:
    """Its fire-rescue report, from the select_related cache when the incident was loaded with
    it (incident_detail_queryset), else read."""
    if Incident.fire_rescue.is_cached(incident):
        return getattr(incident, "fire_rescue", None)
    return FireRescueDetail.objects.filter(incident=incident).first()


def incident_children(incident: Incident) -> Children:
    """Read the rows below `incident` (five queries, four when its fire-rescue report came with it)."""
    return Children(
        offence_links=list(incident.offence_links.select_related("offence").order_by("-is_main", "id")),
        person_links=list(incident.person_links.all()),
        losses=list(incident.losses.order_by("id")),
        report_ids=sorted(incident.crime_reports.values_list("id", flat=True)),
        fire_rescue=_fire_rescue_of(incident),
        response_times=list(incident.response_times.order_by("unit_id")),
    )


def incident_snapshot(incident: Incident, children: Children | None = None) -> dict[str, Any]:
    """The whole record as it stands: its own fields plus offences, people (by id: names stay
    in the person index), losses, linked reports and the fire-rescue report. Kept on every
    timeline entry, so each version can be shown and compared. `children`: the rows below
    it when already at hand (read by incident_children or just written)."""
    if children is None:
        children = incident_children(incident)
    data = snapshot(incident, exclude=("search_key", "updated_at", "created_at"))
    data["offences"] = [
        f"{link.offence.article}"
        + (f"/{link.clause}" if link.clause else "")
        + (" *" if link.is_main else "")
        for link in children.offence_links
    ]
    data["persons"] = sorted(_person_label(link) for link in children.person_links)
    data["losses"] = [[loss.description, loss.value_vnd, loss.recovered] for loss in children.losses]
    data["crime_reports"] = list(children.report_ids)
    detail = children.fire_rescue
    data["fire_rescue"] = snapshot(detail, exclude=("id", "incident_id")) if detail else None
    response_times = children.response_times
    if response_times is None:
        response_times = list(incident.response_times.order_by("unit_id"))
    data["response_times"] = [snapshot(rt, exclude=("id", "incident_id")) for rt in response_times]
    return data


def incident_timeline_add(
    incident: Incident,
    *,
    actor,
    kind: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
) -> RecordEvent:
    """A timeline entry with the full snapshot (versioning.timeline_add keeps the row's own
    fields only; an incident's version includes its offences, people and losses)."""
    return RecordEvent.objects.create(
        object_type=object_type_of(incident),
        object_id=incident.pk,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", "")) if actor else "",
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        version=incident.version,
        snapshot=_jsonable(after),
        changes=_jsonable(diff(before, after)) if before is not None else {},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# Validation ------------------------------------------------------------------------------


def _validate(
    actor,
    data: IncidentData,
    *,
    incident: Incident | None = None,
    person_links: list[IncidentPerson] | None = None,
) -> _Clean:
    from anninh.geo.lookup import commune_at
    from anninh.geo.models import Commune
    from anninh.org.models import Unit

    errors: list[RecordError] = []

    def err(code: str, message: str, field_name: str | None = None) -> None:
        errors.append(RecordError(code, message, field=field_name))

    now = timezone.now()
    fields: dict[str, Any] = {}

    # Kind and unit: what the actor may record, for which unit.
    if data.kind not in IncidentKind.values:
        err("incident.kind", _("Choose the kind of incident."), "kind")
    elif data.kind not in writer_kinds(actor):
        raise RecordError(
            "permission.kind",
            _("Fire and rescue officers record fires, explosions and rescues only."),
            field="kind",
        )
    fields["kind"] = data.kind
    unit = None
    if data.responsible_unit_id is None:
        err("incident.unit", _("Choose the responsible unit."), "responsible_unit")
    else:
        unit = Unit.objects.filter(pk=data.responsible_unit_id).first()
        if unit is None or not unit.is_active_on():
            err("incident.unit", _("Choose an active police unit."), "responsible_unit")
        elif unit.pk not in acting_unit_ids(actor) and not (
            incident is not None and unit.pk == incident.responsible_unit_id and can_review(actor, unit.pk)
        ):
            raise RecordError(
                "permission.unit", _("You cannot record incidents for this unit."), field="responsible_unit"
            )
    fields["responsible_unit"] = unit

    # Times.
    occurred_from, occurred_to, reported_at = (
        _aware(data.occurred_from),
        _aware(data.occurred_to),
        _aware(data.reported_at),
    )
    if occurred_from is None:
        err("incident.occurred_required", _("Enter when it happened."), "occurred_from")
    if reported_at is None:
        err("incident.reported_required", _("Enter when it was reported."), "reported_at")
    times = {"occurred_from": occurred_from, "occurred_to": occurred_to, "reported_at": reported_at}
    for name, value in times.items():
        if value is None:
            continue
        if value < EARLIEST:
            err("incident.too_early", _("Check the year: this date is too far in the past."), name)
            times[name] = None
        elif value > now + CLOCK_SKEW:
            err("incident.future", _("This time is in the future."), name)
            times[name] = None
    occurred_from, occurred_to, reported_at = (
        times["occurred_from"],
        times["occurred_to"],
        times["reported_at"],
    )
    if occurred_from and occurred_to and occurred_to < occurred_from:
        err(
            "incident.window",
            _("The end of the time window is before its start."),
            "occurred_to",
        )
    if occurred_from and reported_at and occurred_from > reported_at:
        err("incident.reported_before", _("It cannot have happened after it was reported."), "occurred_from")
    elif occurred_to and reported_at and occurred_to > reported_at:
        err("incident.reported_before", _("The time window cannot end after the report."), "occurred_to")
    fields.update(occurred_from=occurred_from, occurred_to=occurred_to, reported_at=reported_at)

    # Place: a point decides the commune; without one, the commune chosen.
    lat, lon = data.lat, data.lon
    commune = None
    if (lat is None) != (lon is None):
        err("incident.point", _("Give both latitude and longitude, or neither."), "lat")
    elif lat is not None:
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            err("incident.point", _("This is not a valid point."), "lat")
        else:
            # A rescue or fire on the water (the report names a river or the sea) belongs to
            # the nearest commune's water within 12 nautical miles (anninh.geo.lookup rule 3).
            on_water = (
                data.kind in FIRE_RESCUE_KINDS
                and data.fire_rescue is not None
                and bool(data.fire_rescue.river)
            )
            code = commune_at(lat, lon, on_water=on_water)
            if code is None:
                err(
                    "incident.outside_city",
                    _("This point is outside Hai Phong: pick a place inside the city on the map."),
                    "lat",
                )
            else:
                commune = Commune.objects.filter(code=code).defer("boundary").first()
                lat, lon = round(lat, 6), round(lon, 6)
    elif data.commune_code:
        commune = (
            Commune.objects.filter(code=clean_text(str(data.commune_code))[:5]).defer("boundary").first()
        )
        if commune is None:
            err("incident.commune", _("Choose a commune of Hai Phong."), "commune")
    else:
        err("incident.commune", _("Pick the place on the map or choose the commune."), "commune")
    fields.update(commune=commune, lat=lat, lon=lon)

    if data.premises not in PremisesType.values:
        err("incident.premises", _("Choose the type of premises."), "premises")
    fields["premises"] = data.premises
    fields["address"] = _clean_text(data.address, 300)
    fields["narrative"] = _clean_text(data.narrative, 20000, multiline=True)

    for name, rows in (
        ("offences", data.offences),
        ("persons", data.persons),
        ("losses", data.losses),
        ("crime_reports", (*data.crime_report_ids, *data.crime_report_numbers)),
    ):
        if len(rows) > MAX_ROWS[name]:
            err("incident.too_many", _("Too many rows: at most %(n)d.") % {"n": MAX_ROWS[name]}, name)
    if errors and any(e.code == "incident.too_many" for e in errors):
        raise InvalidRecord(errors)

    # Offences: articles known and in force on the day it happened; one main offence.
    offences: list[tuple[Offence, int | None, bool]] = []
    on = (occurred_from or now).astimezone(HCM_TZ).date()
    seen: set[int] = set()
    for i, row in enumerate(data.offences):
        article = normalise_article(row.article)
        if not article:
            err(
                "offence.article_required", _("Enter the article of the Penal Code."), f"offences.{i}.article"
            )
            continue
        offence = offence_on(article, on)
        # The table is asked whether the article exists only to say which error it is.
        if offence is None and not Offence.objects.filter(article=article).exists():
            err(
                "offence.unknown",
                _("There is no article %(article)s in the offence table.") % {"article": article[:10]},
                f"offences.{i}.article",
            )
            continue
        if offence is None:
            err(
                "offence.not_in_force",
                _("Article %(article)s was not in force on %(date)s.")
                % {"article": article, "date": format_date_vn(on)},
                f"offences.{i}.article",
            )
            continue
        if offence.pk in seen:
            err("offence.duplicate", _("This article is listed twice."), f"offences.{i}.article")
            continue
        seen.add(offence.pk)
        if row.clause is not None and not 1 <= row.clause <= 10:
            err("offence.clause", _("A clause is numbered 1 to 10."), f"offences.{i}.clause")
            continue
        offences.append((offence, row.clause, bool(row.is_main)))
    mains = [o for o in offences if o[2]]
    if len(mains) > 1:
        err("offence.main", _("Mark only one offence as the main one."), "offences")
    elif offences and not mains:
        offence, clause, _main = offences[0]
        offences[0] = (offence, clause, True)

    # People.
    if person_links is None and incident is not None:
        person_links = list(incident.person_links.all())
    existing = {link.person_id for link in person_links or ()}
    persons: list[PersonData] = []
    keys: set[tuple] = set()
    for i, row in enumerate(data.persons):
        if row.role not in PersonRole.values:
            err("person.role", _("Choose the person's role."), f"persons.{i}.role")
            continue
        if row.person_id is not None:
            if row.person_id not in existing:
                err(
                    "person.unknown",
                    _("This person is not linked to this incident."),
                    f"persons.{i}.person_id",
                )
                continue
            key = (row.person_id, row.role)
        else:
            try:
                person_fields_clean(full_name=row.full_name, birth_year=row.birth_year)
                ids = person_ids_clean(row.cccd, [row.phone] if row.phone else [])
                person_identity_check(cccd=ids.cccd, sex=sex_clean(row.sex), birth_year=row.birth_year)
            except RecordError as exc:
                name = {"phones": "phone"}.get(exc.field or "", exc.field or "full_name")
                err(exc.code, exc.message, f"persons.{i}.{name}")
                continue
            key = ("new", ids.cccd or (ids.phones[0] if ids.phones else i), row.role)
        if key in keys:
            err("person.duplicate", _("This person is listed twice in the same role."), f"persons.{i}")
            continue
        keys.add(key)
        persons.append(row)

    # Losses, in whole đồng.
    losses: list[tuple[str, int, bool]] = []
    for i, row in enumerate(data.losses):
        description = _clean_text(row.description, 300)
        if not description:
            err("loss.description", _("Describe the property."), f"losses.{i}.description")
        try:
            value = parse_vnd(row.value_vnd if isinstance(row.value_vnd, int | str) else str(row.value_vnd))
        except ValidationProblem as exc:
            err(exc.code, money_message(exc.code), f"losses.{i}.value_vnd")
            continue
        if description:
            losses.append((description, value, bool(row.recovered)))
    if sum(v for _d, v, _r in losses) > MAX_VND:  # one incident's total, like a single amount
        err("vnd.too_large", money_message("vnd.too_large"), "losses")

    # Crime reports: only those the actor may see (others are "not found", never "forbidden").
    reports: list[CrimeReport] = []
    visible_reports = CrimeReport.objects.restrict(actor)
    ids = sorted({int(i) for i in data.crime_report_ids if isinstance(i, int) and 0 < i < 2**63})
    if ids:
        found = {r.pk: r for r in visible_reports.filter(pk__in=ids)}
        for rid in ids:
            if rid not in found:
                err(
                    "incident.report",
                    _("Crime report %(id)s was not found.") % {"id": rid},
                    "crime_report_ids",
                )
            else:
                reports.append(found[rid])
    numbers = sorted({_clean_text(n, 40) for n in data.crime_report_numbers if _clean_text(n, 40)})
    if numbers:
        found_numbers = {r.register_number: r for r in visible_reports.filter(register_number__in=numbers)}
        for number in numbers:
            if number not in found_numbers:
                err(
                    "incident.report",
                    _("Crime report %(id)s was not found.") % {"id": number},
                    "crime_report_numbers",
                )
            elif found_numbers[number] not in reports:
                reports.append(found_numbers[number])

    # Fire and rescue: only for fires, explosions and rescues.
    fire_rescue = None
    response_times: list[dict[str, Any]] = []
    if data.fire_rescue is not None and data.kind in FIRE_RESCUE_KINDS:
        fire_rescue, response_times = _validate_fire_rescue(data.fire_rescue, err, occurred_from, now)

    if errors:
        raise InvalidRecord(errors)
    return _Clean(
        fields=fields,
        offences=offences,
        persons=persons,
        losses=losses,
        reports=reports,
        fire_rescue=fire_rescue,
        response_times=response_times,
    )


def money_message(code: str) -> str:
    """The translated message of an anninh.lib.money error code."""
    return {
        "vnd.empty": _("Enter an amount."),
        "vnd.invalid": _("This is not an amount in đồng."),
        "vnd.fractional": _("Amounts in đồng are whole numbers: remove the decimal part."),
        "vnd.grouping": _("Check the thousands separators, e.g. 12.500.000."),
        "vnd.negative": _("The amount cannot be negative."),
        "vnd.too_large": _("The amount is too large: at most %(maximum)s.")
        % {"maximum": format_vnd(MAX_VND)},
    }.get(code, _("This is not an amount in đồng."))


def _validate_fire_rescue(data: FireRescueData, err, occurred_from, now) -> tuple[dict, list[dict]]:
    from anninh.org.models import Unit

    values: dict[str, Any] = {"cause": _clean_text(data.cause, 300), "vessel": _clean_text(data.vessel, 200)}
    for name in ("dead", "injured", "rescued", "victims_found", "forces", "vehicles"):
        value = getattr(data, name)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            err("fire_rescue.count", _("Enter a whole number, 0 or more."), f"fire_rescue.{name}")
            value = 0
        values[name] = value
    try:
        values["damage_vnd"] = parse_vnd(
            data.damage_vnd if isinstance(data.damage_vnd, int | str) else str(data.damage_vnd)
        )
    except ValidationProblem as exc:
        err(exc.code, money_message(exc.code), "fire_rescue.damage_vnd")
    if data.river and data.river not in River.values:
        err("fire_rescue.river", _("Choose a river from the list."), "fire_rescue.river")
    values["river"] = data.river or ""

    if len(data.response_times) > MAX_ROWS["response_times"]:
        err(
            "incident.too_many",
            _("Too many rows: at most %(n)d.") % {"n": MAX_ROWS["response_times"]},
            "response_times",
        )
        return values, []
    unit_ids = {rt.unit_id for rt in data.response_times}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, rt in enumerate(data.response_times):
        prefix = f"response_times.{i}"
        if rt.unit_id not in units:
            err("response.unit", _("Choose the unit that responded."), f"{prefix}.unit")
            continue
        if rt.unit_id in seen:
            err("response.duplicate", _("This unit is listed twice."), f"{prefix}.unit")
            continue
        seen.add(rt.unit_id)
        times = {step: _aware(getattr(rt, step)) for step in RESPONSE_STEPS}
        ok = True
        previous: tuple[str, dt.datetime] | None = None
        for step in RESPONSE_STEPS:
            value = times[step]
            if value is None:
                continue
            if value < EARLIEST or value > now + CLOCK_SKEW:
                err(
                    "response.future" if value > now else "response.too_early",
                    _("Check this time."),
                    f"{prefix}.{step}",
                )
                ok = False
            elif occurred_from is not None and step == "alerted_at" and value < occurred_from:
                err(
                    "response.before_incident",
                    _("The alert cannot come before the incident."),
                    f"{prefix}.{step}",
                )
                ok = False
            elif previous is not None and value < previous[1]:
                err(
                    "response.order",
                    _(
                        "Each time must be at or after the one before it (alerted, dispatched, arrived, under control, ended)."
                    ),
                    f"{prefix}.{step}",
                )
                ok = False
            previous = (step, value) if value is not None else previous
        if ok:
            rows.append({"unit": units[rt.unit_id], **times})
    return values, rows


# Writing ---------------------------------------------------------------------------------


def _search_key(incident: Incident) -> str:
    return fold(f"{incident.number} {incident.address} {incident.narrative}")


def _derive(incident: Incident, clean: _Clean) -> None:
    """The incident's copies of its children (the main offence's group, the total loss) and its
    search key: set before it is saved, so one INSERT or UPDATE writes the row as it will stay
    (and the CompStat triggers count it once)."""
    main = next((offence for offence, _c, is_main in clean.offences if is_main), None)
    incident.offence_group = main.group if main else ""
    incident.losses_vnd = sum(v for _d, v, _r in clean.losses)
    incident.search_key = _search_key(incident)


def _write_children(actor, incident: Incident, clean: _Clean, *, current: Children | None) -> Children:
    """Write the rows below `incident` from `clean`, replacing `current` (what an update read
    before; None for a new incident). Returns them as they now stand in the database."""
    replace = current is not None
    if replace:
        incident.offence_links.all().delete()
        incident.losses.all().delete()
        incident.response_times.all().delete()
    offence_links = IncidentOffence.objects.bulk_create(
        [
            IncidentOffence(incident=incident, offence=offence, clause=clause, is_main=is_main)
            for offence, clause, is_main in clean.offences
        ]
    )

    # People: keep linked people named by id, resolve the others, drop the rest.
    wanted: list[tuple[int, str, str]] = []
    for i, row in enumerate(clean.persons):
        if row.person_id is not None:
            wanted.append((row.person_id, row.role, _clean_text(row.note, 300)))
            continue
        try:
            person = person_resolve(
                actor=actor,
                full_name=row.full_name,
                cccd=row.cccd or None,
                phones=[row.phone] if row.phone else [],
                birth_year=row.birth_year,
                sex=row.sex,
                address=_clean_text(row.address, 300),
            )
        except RecordError as exc:
            name = {"phones": "phone"}.get(exc.field or "", exc.field or "full_name")
            raise InvalidRecord([RecordError(exc.code, exc.message, field=f"persons.{i}.{name}")]) from exc
        wanted.append((person.pk, row.role, _clean_text(row.note, 300)))
    unique: dict[tuple[int, str], str] = {}
    for person_id, role, note in wanted:
        unique.setdefault((person_id, role), note)
    existing = {(link.person_id, link.role): link for link in current.person_links} if replace else {}
    dropped = [link.pk for key, link in existing.items() if key not in unique]
    if dropped:
        IncidentPerson.objects.unrestricted().filter(pk__in=dropped).delete()
    person_links: list[IncidentPerson] = []
    for key, link in existing.items():
        if key in unique:
            if link.note != unique[key]:
                link.note = unique[key]
                link.save(update_fields=["note"])
            person_links.append(link)
    person_links += IncidentPerson.objects.bulk_create(
        [
            IncidentPerson(incident=incident, person_id=person_id, role=role, note=note)
            for (person_id, role), note in unique.items()
            if (person_id, role) not in existing
        ]
    )

    losses = IncidentLoss.objects.bulk_create(
        [IncidentLoss(incident=incident, description=d, value_vnd=v, recovered=r) for d, v, r in clean.losses]
    )
    # Linked reports: what `set()` does, from the links read before (a new incident has none).
    report_ids = sorted({r.pk for r in clean.reports})
    before_ids = set(current.report_ids) if replace else set()
    if unlinked := before_ids - set(report_ids):
        incident.crime_reports.remove(*unlinked)
    if linked := [r for r in clean.reports if r.pk not in before_ids]:
        incident.crime_reports.add(*linked)

    fire = incident.kind in FIRE_RESCUE_KINDS
    if fire and clean.fire_rescue is not None:
        FireRescueDetail.objects.update_or_create(incident=incident, defaults=clean.fire_rescue)
        ResponseTime.objects.bulk_create(
            [ResponseTime(incident=incident, **row) for row in clean.response_times]
        )
    elif not fire and replace:
        # (its response times were deleted above with the other child rows)
        FireRescueDetail.objects.filter(incident=incident).delete()

    # Cases initiated from a linked crime report before this incident existed: link them now.
    if clean.reports:
        Case.objects.unrestricted().filter(crime_report__in=clean.reports, incident__isnull=True).update(
            incident=incident
        )
    return Children(
        # bulk_create keeps the order given and sets the ids in it: sort as the table would.
        offence_links=sorted(offence_links, key=lambda link: (not link.is_main, link.pk)),
        person_links=person_links,
        losses=losses,
        report_ids=report_ids,
        # A fire's report and response times are read back (times come back in UTC); other
        # kinds have none: never written on create, deleted on update.
        fire_rescue=FireRescueDetail.objects.filter(incident=incident).first() if fire else None,
        response_times=None if fire else [],
        created=not replace,
    )


@transaction.atomic
def incident_create(
    *,
    actor,
    data: IncidentData,
    number: str | None = None,
    external_id: str | None = None,
    is_synthetic: bool = False,
) -> Incident:
    """Record a new incident (a draft, for the unit's supervisor to approve). It is numbered
    in its responsible unit's register for the year it was reported, unless an import brings
    its own `number`."""
    _check_actor(actor)
    clean = _validate(actor, data)
    unit = clean.fields["responsible_unit"]
    if number:
        number = _clean_text(number, 40)
        if Incident.objects.unrestricted().filter(number=number).exists():
            raise InvalidRecord(
                [RecordError("incident.number_taken", _("This number is already used."), field="number")]
            )
    else:
        year = clean.fields["reported_at"].astimezone(HCM_TZ).year
        number = incident_number(
            unit.code, year, register_allocate(unit=unit, register="incident", year=year)
        )
    if external_id is not None and Incident.objects.unrestricted().filter(external_id=external_id).exists():
        raise InvalidRecord(
            [
                RecordError(
                    "incident.external_id_taken", _("This external id is already used."), field="external_id"
                )
            ]
        )
    incident = Incident(
        number=number,
        external_id=external_id,
        created_by=actor,
        is_synthetic=is_synthetic,
        review_status=ReviewStatus.DRAFT,
        **clean.fields,
    )
    _derive(incident, clean)
    incident.save()
    incident.written = _write_children(actor, incident, clean, current=None)
    after = incident_snapshot(incident, incident.written)
    audit_record(actor=actor, action=AuditAction.CREATE, target=incident, after=after)
    incident_timeline_add(
        incident, actor=actor, kind="created", before=None, after=after, to_status=incident.review_status
    )
    return incident


@transaction.atomic
def incident_update(
    *,
    actor,
    incident: Incident,
    data: IncidentData,
    version: int | None,
    reason: str = "",
) -> Incident:
    """Replace the incident with `data`, if nobody saved it since `version` was loaded
    (ConflictError otherwise). A record awaiting approval is changed only by its reviewer;
    an approved record only with a `reason`, which the timeline keeps."""
    _check_actor(actor)
    if not (
        incident.responsible_unit_id in acting_unit_ids(actor)
        or can_review(actor, incident.responsible_unit_id)
    ):
        raise RecordError("permission.unit", _("You cannot change the incidents of this unit."))
    reason = _clean_text(reason, 2000)
    status = incident.review_status
    if status == ReviewStatus.SUBMITTED and not can_review(actor, incident.responsible_unit_id):
        raise RecordError(
            "review.locked",
            _("This incident is awaiting approval: ask your supervisor to return it before changing it."),
        )
    if status == ReviewStatus.APPROVED and not reason:
        raise InvalidRecord(
            [
                RecordError(
                    "review.reason_required",
                    _("This incident is approved: give the reason for the change."),
                    field="reason",
                )
            ]
        )
    current = incident_children(incident)
    clean = _validate(actor, data, incident=incident, person_links=current.person_links)
    before = incident_snapshot(incident, current)
    audit_before = snapshot(incident)
    for name, value in clean.fields.items():
        setattr(incident, name, value)
    _derive(incident, clean)
    save_versioned(
        incident,
        expected_version=version,
        fields=[*clean.fields.keys(), "offence_group", "losses_vnd", "search_key", "updated_at"],
    )
    incident.written = _write_children(actor, incident, clean, current=current)
    after = incident_snapshot(incident, incident.written)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=incident,
        before=audit_before,
        after=snapshot(incident),
        extra={"reason": reason} if reason else None,
    )
    incident_timeline_add(
        incident,
        actor=actor,
        kind="amended" if status == ReviewStatus.APPROVED else "updated",
        before=before,
        after=after,
        comment=reason,
    )
    return incident


def incident_viewed(*, actor, incident: Incident, via: str = "page") -> None:
    """Audit one look at an incident (its page or its API detail): the record names people."""
    audit_record(actor=actor, action=AuditAction.VIEW, target=incident, extra={"via": via})

"""Records: crime reports, incidents, cases, persons, fire and rescue."""

from anninh.records.models.cases import Case, CaseStatusChange
from anninh.records.models.choices import (
    FIRE_RESCUE_KINDS,
    CaseStatus,
    IncidentKind,
    OffenceGroup,
    PersonRole,
    PremisesType,
    ReportChannel,
    ReportKind,
    ReportStatus,
    ReviewStatus,
    River,
    Sex,
)
from anninh.records.models.history import RecordEvent
from anninh.records.models.idempotency import IdempotencyKey
from anninh.records.models.imports import ImportBatch, ImportJob, ImportJobStatus  # noqa: F401
from anninh.records.models.incidents import (
    FireRescueDetail,
    Incident,
    IncidentLoss,
    IncidentOffence,
    IncidentPerson,
    ResponseTime,
)
from anninh.records.models.offences import Offence
from anninh.records.models.persons import (
    Person,
    PersonMatch,
    PersonMatchReason,
    PersonMatchStatus,
    PersonPhone,
)
from anninh.records.models.reports import CrimeReport, DayOff, RegisterCounter, ReportClockEvent

__all__ = [
    "FIRE_RESCUE_KINDS",
    "Case",
    "CaseStatus",
    "CaseStatusChange",
    "CrimeReport",
    "DayOff",
    "FireRescueDetail",
    "IdempotencyKey",
    "Incident",
    "IncidentKind",
    "IncidentLoss",
    "IncidentOffence",
    "IncidentPerson",
    "Offence",
    "OffenceGroup",
    "Person",
    "PersonMatch",
    "PersonMatchReason",
    "PersonMatchStatus",
    "PersonPhone",
    "PersonRole",
    "PremisesType",
    "RecordEvent",
    "RegisterCounter",
    "ReportChannel",
    "ReportClockEvent",
    "ReportKind",
    "ReportStatus",
    "ResponseTime",
    "ReviewStatus",
    "River",
    "Sex",
]

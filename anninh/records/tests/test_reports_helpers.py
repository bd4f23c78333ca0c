"""Shared helpers of the crime-report and person tests (imported by the test_reports_*,
test_register_* and test_persons_* modules; this module has no tests of its own).

- `fast_passwords`: personas are created for most tests; the production password hasher
  (PBKDF2, a million rounds) would cost seconds per test.
- `receive(actor, **fields)`: a crime report received through the service, with sensible
  defaults (a theft in Phường Hồng Bàng, received an hour ago).
- `advance(report, actor, to)`: walk a report along the workflow to a status.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anninh.lib.dates import HCM_TZ
from anninh.records.models import CrimeReport, ReportStatus
from anninh.records.services import reports as services
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

S = ReportStatus

# A point inside each persona commune (their representative points are loaded with the
# communes; these are looked up once per test session).
_POINTS: dict[str, tuple[float, float]] = {}


def point_in(code: str) -> tuple[float, float]:
    if code not in _POINTS:
        from anninh.geo.models import Commune

        c = Commune.objects.get(pk=code)
        _POINTS[code] = (c.point_lat, c.point_lon)
    return _POINTS[code]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def local(year, month, day, hour=9, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=HCM_TZ)


def receive(actor, **fields) -> CrimeReport:
    data = {
        "kind": "to_giac",
        "channel": "in_person",
        "received_at": timezone.now() - dt.timedelta(hours=1),
        "summary": "Mất trộm xe máy trước cửa nhà.",
        "commune_code": COMMUNE_A,
        "address": "12 Hoàng Văn Thụ",
        "offence_article": "173",
    }
    data.update(fields)
    return services.crime_report_receive(actor=actor, **data)


def advance(report: CrimeReport, actor, to: str, **kwargs) -> CrimeReport:
    """received → classified → verifying → a decision (initiated / not_initiated / suspended)."""
    path = {
        S.RECEIVED: [],
        S.CLASSIFIED: ["classify"],
        S.VERIFYING: ["classify", "verify"],
        S.INITIATED: ["classify", "verify", "initiate"],
        S.NOT_INITIATED: ["classify", "verify", "not_initiate"],
        S.SUSPENDED: ["classify", "verify", "suspend"],
    }[to]
    for step in path:
        if step == "classify":
            report = services.crime_report_classify(actor=actor, report=report, version=report.version)
        elif step == "verify":
            report = services.crime_report_verify(actor=actor, report=report, version=report.version)
        else:
            report = services.crime_report_decide(
                actor=actor,
                report=report,
                version=report.version,
                decision=step,
                grounds="Căn cứ kết quả xác minh.",
                **kwargs,
            )
    return report


__all__ = ["COMMUNE_A", "COMMUNE_B", "S", "advance", "fast_passwords", "local", "point_in", "receive"]

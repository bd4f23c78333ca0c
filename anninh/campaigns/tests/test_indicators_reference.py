"""The indicators' queries were reshaped for 1,000,000 incidents (the windows in the WHERE
clause, drug cases in two disjoint parts, offenders from distinct (unit, suspect) pairs:
benchmarks/results/campaign-dashboard.md). Their figures must not move: each is checked here
against a plain Python count over every record of synthetic data, written from the
definitions at the top of anninh.campaigns.indicators."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import pytest

from anninh.campaigns.indicators import Scope, compute_all
from anninh.campaigns.models import Indicator
from anninh.enforcement.demo import enforcement_demo_seed
from anninh.lib.dates import HCM_TZ, local_date
from anninh.records.demo import records_generate
from anninh.records.models import Case, CrimeReport, Incident, IncidentLoss, IncidentPerson
from anninh.testing.personas import make_user

END = dt.datetime(2026, 2, 15, 12, tzinfo=HCM_TZ)
FIRST, LAST = dt.date(2025, 11, 1), dt.date(2026, 2, 14)
WINDOWS = [(FIRST, LAST), (dt.date(2024, 11, 1), dt.date(2025, 2, 14))]


@pytest.fixture
def data(db):
    """In the test's transaction, rolled back after it (committed module-wide data, flushed
    afterwards, took the migrations' reference data with it and broke the tests after it)."""
    commander = make_user("ref_commander", "commander", unit_code="CAHP")
    records_generate(incidents=1500, seed=11, end=END)
    enforcement_demo_seed()
    # Some losses of fraud incidents recovered (the generator marks none), of both years.
    losses = IncidentLoss.objects.filter(incident__offence_group__in=("fraud", "cyber")).order_by("pk")
    IncidentLoss.objects.filter(pk__in=list(losses.values_list("pk", flat=True)[::3])).update(recovered=True)
    # Some cases without their own offence: their group comes from the incident or the report.
    cases = list(Case.objects.unrestricted().order_by("pk").values_list("pk", flat=True)[::4])
    Case.objects.unrestricted().filter(pk__in=cases).update(offence=None)
    return commander


def _in(day: dt.date | None, window) -> bool:
    return day is not None and window[0] <= day <= window[1]


def _reference() -> dict[str, list[Counter]]:
    out: dict[str, list[Counter]] = defaultdict(lambda: [Counter(), Counter()])
    cases = list(
        Case.objects.unrestricted().select_related("offence", "incident", "crime_report__suspected_offence")
    )
    suspects = defaultdict(set)
    for incident_id, person_id in (
        IncidentPerson.objects.unrestricted().filter(role="suspect").values_list("incident_id", "person_id")
    ):
        suspects[incident_id].add(person_id)
    offender_pairs = [set(), set()]
    for case in cases:
        group = (
            (case.offence.group if case.offence_id else "")
            or (case.incident.offence_group if case.incident_id else "")
            or (
                case.crime_report.suspected_offence.group
                if case.crime_report_id and case.crime_report.suspected_offence_id
                else ""
            )
        )
        for i, window in enumerate(WINDOWS):
            if group == "drugs" and _in(case.initiated_on, window):
                out[Indicator.DRUG_CASES][i][case.handling_unit_id] += 1
            identified = local_date(case.offender_identified_at) if case.offender_identified_at else None
            if case.status == "cleared" and _in(identified, window):
                out[Indicator.CLEARED][i][case.handling_unit_id] += 1
                for person in suspects.get(case.incident_id, ()):
                    offender_pairs[i].add((case.handling_unit_id, person))
    for i in range(2):
        out[Indicator.OFFENDERS][i] = Counter(unit for unit, _person in offender_pairs[i])
        out["offenders_total"][i] = Counter({"all": len({person for _unit, person in offender_pairs[i]})})
    for report in CrimeReport.objects.unrestricted().exclude(decided_on=None):
        for i, window in enumerate(WINDOWS):
            if _in(report.decided_on, window) and report.decided_within_deadline:
                out[Indicator.REPORTS_ON_TIME][i][report.handling_unit_id] += 1
    fraud = {
        pk: (unit, local_date(at))
        for pk, unit, at in Incident.objects.unrestricted()
        .filter(kind="crime", offence_group__in=("fraud", "cyber"))
        .values_list("pk", "responsible_unit_id", "occurred_from")
    }
    for incident_id, value in IncidentLoss.objects.filter(recovered=True).values_list(
        "incident_id", "value_vnd"
    ):
        if incident_id in fraud:
            unit, day = fraud[incident_id]
            for i, window in enumerate(WINDOWS):
                if _in(day, window):
                    out[Indicator.FRAUD_RECOVERED][i][unit] += value
    return out


@pytest.mark.django_db
def test_the_reshaped_indicators_count_what_a_plain_count_over_every_record_finds(data):
    from anninh.campaigns.services import campaign_create

    campaign = campaign_create(actor=data, name="Đối chiếu", first=FIRST, last=LAST)
    values = compute_all(data, Scope.of(campaign))
    expected = _reference()
    assert expected[Indicator.DRUG_CASES][0], "the data must have drug cases for the check to mean anything"
    assert expected[Indicator.OFFENDERS][0] and expected[Indicator.FRAUD_RECOVERED][0]
    for indicator in (
        Indicator.DRUG_CASES,
        Indicator.CLEARED,
        Indicator.OFFENDERS,
        Indicator.REPORTS_ON_TIME,
        Indicator.FRAUD_RECOVERED,
    ):
        got = values[indicator]
        assert got.by_unit == dict(expected[indicator][0]), indicator
        assert got.by_unit_last_year == dict(expected[indicator][1]), indicator
    offenders = values[Indicator.OFFENDERS]
    assert offenders.total == expected["offenders_total"][0]["all"]
    assert offenders.total_last_year == expected["offenders_total"][1]["all"]

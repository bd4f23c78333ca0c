"""Campaign indicators against hand-made records: the same calendar dates last year (29
February), each indicator's count, the per-unit normalisations, and the query budget."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anninh.campaigns import services as campaign_services
from anninh.campaigns.indicators import Scope, compute_all
from anninh.campaigns.models import Indicator
from anninh.campaigns.periods import percent_change, same_dates_last_year
from anninh.campaigns.selectors import campaign_dashboard
from anninh.enforcement import services as enforcement_services
from anninh.geo.models import Commune
from anninh.org.models import Unit
from anninh.records.models import Case, IncidentPerson
from anninh.records.services import incidents as incident_services
from anninh.records.services.cases import case_create
from anninh.records.tests.test_incidents_factories import fast_passwords, local, record, unit_id  # noqa: F401
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

D = dt.date


# The rule, as a pure function -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        (D(2024, 2, 1), D(2024, 2, 29), (D(2023, 2, 1), D(2023, 2, 28))),  # 29/02 as last day → 28/02
        (D(2024, 2, 29), D(2024, 3, 10), (D(2023, 3, 1), D(2023, 3, 10))),  # 29/02 as first day → 01/03
        (D(2025, 2, 1), D(2025, 3, 31), (D(2024, 2, 1), D(2024, 3, 31))),  # includes 29/02/2024
        (D(2026, 8, 1), D(2026, 10, 31), (D(2025, 8, 1), D(2025, 10, 31))),
        (D(2024, 2, 29), D(2024, 2, 29), None),  # no counterpart at all
    ],
)
def test_the_same_calendar_dates_last_year(first, last, expected):
    assert same_dates_last_year(first, last) == expected


def test_a_change_against_nothing_is_not_a_percentage():
    assert percent_change(6, 4) == 0.5
    assert percent_change(3, 0) is None


# Records -----------------------------------------------------------------------------------------


def _crime(actor, when: dt.datetime, **fields):
    return record(actor, occurred_from=when, reported_at=when + dt.timedelta(hours=1), **fields)


@pytest.fixture
def feb(personas):
    """Crimes of commune A around February 2024 (a leap year) and February 2023."""
    officer = personas["commune_officer"]
    made = {}
    for day in [
        (2024, 2, 1),
        (2024, 2, 28),
        (2024, 2, 29),
        (2024, 3, 1),
        (2023, 2, 1),
        (2023, 2, 28),
        (2023, 3, 1),
    ]:
        made[day] = _crime(officer, local(*day, hour=23, minute=30))
    made["b"] = _crime(personas["other_commune_officer"], local(2024, 2, 10), commune=COMMUNE_B)
    return made


def _campaign(personas, first, last, **kw):
    return campaign_services.campaign_create(
        actor=personas["commander"], name="Cao điểm", first=first, last=last, **kw
    )


def test_crimes_in_a_february_with_29_days_compare_with_28_days_last_year(personas, feb):
    campaign = _campaign(personas, D(2024, 2, 1), D(2024, 2, 29), communes=[COMMUNE_A])
    values = compute_all(personas["commander"], Scope.of(campaign))[Indicator.CRIMES]
    # 01/02, 28/02 and 29/02 2024 (23:30 local time: the local day, not UTC's); 01/02 and 28/02 2023.
    assert values.total == 3
    assert values.total_last_year == 2
    assert values.change == 0.5
    assert values.by_unit == {unit_id(f"CA{COMMUNE_A}"): 3}


def test_a_campaign_starting_on_29_february_compares_from_1_march(personas, feb):
    campaign = _campaign(personas, D(2024, 2, 29), D(2024, 3, 1))
    values = compute_all(personas["commander"], Scope.of(campaign))[Indicator.CRIMES]
    assert values.total == 2  # 29/02 and 01/03/2024
    assert values.total_last_year == 1  # 01/03/2023 only: 28/02/2023 is not the same date


def test_the_commune_officer_counts_only_what_they_may_see(personas, feb):
    campaign = _campaign(personas, D(2024, 2, 1), D(2024, 2, 29))
    assert compute_all(personas["commander"], Scope.of(campaign))[Indicator.CRIMES].total == 4
    assert compute_all(personas["commune_officer"], Scope.of(campaign))[Indicator.CRIMES].total == 3
    assert compute_all(personas["other_commune_officer"], Scope.of(campaign))[Indicator.CRIMES].total == 1


def test_per_unit_figures_are_normalised_by_residents_officers_and_own_baseline(personas, feb):
    unit = Unit.objects.get(pk=unit_id(f"CA{COMMUNE_A}"))
    unit.officers = 12
    unit.save(update_fields=["officers"])
    campaign = _campaign(personas, D(2024, 2, 1), D(2024, 2, 29), unit_ids=[unit.pk])
    campaign_services.campaign_targets_set(
        actor=personas["commander"], campaign=campaign, targets={(unit.pk, Indicator.CRIMES): 4}
    )
    d = campaign_dashboard(viewer=personas["commander"], campaign=campaign)
    (row,) = d.units
    crimes = next(c for c in row.cells if c.indicator == Indicator.CRIMES)
    population = Commune.objects.get(code=COMMUNE_A).population
    assert row.population == population
    assert crimes.value == 3
    assert crimes.per_10k == pytest.approx(3 / population * 10_000)
    assert crimes.per_officer == pytest.approx(3 / 12)
    assert crimes.vs_baseline == pytest.approx(3 / 2)
    assert crimes.target == 4 and crimes.progress == pytest.approx(0.75) and crimes.met is True
    assert "unit=" in crimes.url and "date_from=01%2F02%2F2024" in crimes.url


def test_a_department_is_normalised_by_the_campaign_areas_residents(personas, feb):
    pc02 = unit_id("PC02")
    campaign = _campaign(
        personas, D(2024, 2, 1), D(2024, 2, 29), communes=[COMMUNE_A, COMMUNE_B], unit_ids=[pc02]
    )
    d = campaign_dashboard(viewer=personas["commander"], campaign=campaign)
    (row,) = d.units
    both = sum(Commune.objects.filter(code__in=[COMMUNE_A, COMMUNE_B]).values_list("population", flat=True))
    assert row.population == both == d.scope_population
    assert row.officers is None
    assert all(c.per_officer is None for c in row.cells)


def test_cleared_cases_offenders_arrests_wanted_and_fraud_recovered(personas):
    officer = personas["commune_officer"]
    unit = unit_id(f"CA{COMMUNE_A}")
    fraud = _crime(
        officer,
        local(2024, 2, 29, 10),
        offences=(incident_services.OffenceData("174"),),
        losses=(
            incident_services.LossData("Chuyển khoản", 50_000_000, recovered=True),
            incident_services.LossData("Tiền mặt", 7_000_000),
        ),
        persons=(
            incident_services.PersonData(role="suspect", full_name="Trần Văn Lừa", cccd="031090000011"),
            incident_services.PersonData(role="suspect", full_name="Lê Văn Đảo", cccd="031090000012"),
        ),
    )
    case = case_create(actor=officer, incident=fraud, initiated_on=D(2024, 3, 1))
    Case.objects.unrestricted().filter(pk=case.pk).update(
        status="cleared", offender_identified_at=local(2024, 3, 2, 8)
    )
    suspect = IncidentPerson.objects.unrestricted().filter(incident=fraud).first().person
    wanted = enforcement_services.wanted_create(
        actor=officer,
        person_id=suspect.pk,
        warrant_number="12/QĐ-TN",
        issuing_body="Cơ quan CSĐT",
        issued_on=D(2024, 1, 5),
        unit_id=unit,
        offence_article="174",
        commune_code=COMMUNE_A,
    )
    enforcement_services.arrest_create(
        actor=officer,
        person_id=suspect.pk,
        arrested_at=local(2024, 3, 3, 7),
        commune_code=COMMUNE_A,
        unit_id=unit,
        basis="wanted",
        wanted_id=wanted.pk,
        case_id=case.pk,
    )
    enforcement_services.arrest_create(
        actor=officer,
        person_id=suspect.pk,
        arrested_at=local(2024, 4, 3, 7),
        commune_code=COMMUNE_A,
        unit_id=unit,
        basis="in_the_act",
    )
    campaign = _campaign(personas, D(2024, 2, 15), D(2024, 3, 15))
    values = compute_all(personas["commander"], Scope.of(campaign))
    assert values[Indicator.CLEARED].by_unit == {unit: 1}
    assert values[Indicator.OFFENDERS].total == 2
    assert values[Indicator.ARRESTS].total == 1  # 03/04 is after the campaign
    assert values[Indicator.WANTED_CAUGHT].by_unit == {unit: 1}
    assert values[Indicator.FRAUD_RECOVERED].total == 50_000_000
    assert values[Indicator.DRUG_CASES].total == 0
    # Scoped: commune B's officer sees none of it.
    other = compute_all(personas["other_commune_officer"], Scope.of(campaign))
    assert all(v.total == 0 for v in other.values())


def test_the_dashboard_costs_the_same_queries_for_one_unit_or_many(personas, feb):
    one = _campaign(personas, D(2024, 1, 15), D(2024, 3, 15), unit_ids=[unit_id(f"CA{COMMUNE_A}")])
    many = _campaign(
        personas,
        D(2024, 1, 15),
        D(2024, 3, 15),
        unit_ids=[unit_id(f"CA{COMMUNE_A}"), unit_id(f"CA{COMMUNE_B}"), unit_id("PC02"), unit_id("PC04")],
    )
    counts = []
    for campaign in (one, many):
        campaign = (
            type(campaign).objects.unrestricted().prefetch_related("communes", "units").get(pk=campaign.pk)
        )
        viewer = personas["commander"]
        with CaptureQueriesContext(connection) as ctx:
            campaign_dashboard(viewer=viewer, campaign=campaign)
        counts.append(len(ctx))
    assert counts[0] == counts[1]
    assert counts[1] <= 16

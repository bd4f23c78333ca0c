"""The indicators' queries were reshaped for 1,000,000 incidents (the windows in the WHERE
clause, drug cases in two disjoint parts, offenders from distinct (unit, suspect) pairs:
benchmarks/results/campaign-dashboard.md). Their figures must not move: each is checked here
against a plain Python count over every record of synthetic data, written from the
definitions at the top of anninh.campaigns.indicators."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

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


@dataclass(frozen=True)
class View:
    """What a viewer may see, written out from the models' need-to-know rules: None is the
    whole city; otherwise a commune officer's commune and unit."""

    commune: str
    unit: int

    def incident(self, i) -> bool:
        return i.commune_id == self.commune or i.responsible_unit_id == self.unit

    def report(self, r) -> bool:
        return r.commune_id == self.commune or self.unit in (
            r.receiving_unit_id,
            r.handling_unit_id,
            r.transfer_to_id,
        )

    def case(self, c) -> bool:
        return (
            (c.incident_id is not None and self.incident(c.incident))
            or (c.crime_report_id is not None and c.crime_report.commune_id == self.commune)
            or c.handling_unit_id == self.unit
        )


def _group_of(case) -> str:
    return (
        (case.offence.group if case.offence_id else "")
        or (case.incident.offence_group if case.incident_id else "")
        or (
            case.crime_report.suspected_offence.group
            if case.crime_report_id and case.crime_report.suspected_offence_id
            else ""
        )
    )


def _reference(view: View | None, scope: Scope) -> dict[str, list[Counter]]:
    """Every indicator under test, counted in Python over every record (`view`: the viewer's
    visibility; `scope`: the campaign's communes, groups and units)."""
    out: dict[str, list[Counter]] = defaultdict(lambda: [Counter(), Counter()])
    windows = list(scope.windows())
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
        if view is not None and not view.case(case):
            continue
        commune = (
            case.incident.commune_id
            if case.incident_id
            else (case.crime_report.commune_id if case.crime_report_id else None)
        )
        group = _group_of(case)
        if scope.communes and commune not in scope.communes:
            continue
        if scope.groups and group not in scope.groups:
            continue
        if scope.units and case.handling_unit_id not in scope.units:
            continue
        for i, window in enumerate(windows):
            if group == "drugs" and _in(case.initiated_on, window):
                out[Indicator.DRUG_CASES][i][case.handling_unit_id] += 1
            identified = local_date(case.offender_identified_at) if case.offender_identified_at else None
            if case.status == "cleared" and _in(identified, window):
                out[Indicator.CLEARED][i][case.handling_unit_id] += 1
                # The suspects are read through the incident: seen only with it.
                if case.incident_id and (view is None or view.incident(case.incident)):
                    for person in suspects.get(case.incident_id, ()):
                        offender_pairs[i].add((case.handling_unit_id, person))
    for i in range(2):
        out[Indicator.OFFENDERS][i] = Counter(unit for unit, _person in offender_pairs[i])
        out["offenders_total"][i] = Counter({"all": len({person for _unit, person in offender_pairs[i]})})
    for report in (
        CrimeReport.objects.unrestricted().exclude(decided_on=None).select_related("suspected_offence")
    ):
        if view is not None and not view.report(report):
            continue
        if scope.communes and report.commune_id not in scope.communes:
            continue
        group = report.suspected_offence.group if report.suspected_offence_id else None
        if scope.groups and group not in scope.groups:
            continue
        if scope.units and report.handling_unit_id not in scope.units:
            continue
        for i, window in enumerate(windows):
            if _in(report.decided_on, window):
                out["reports_decided"][i][report.handling_unit_id] += 1
                if report.decided_within_deadline:
                    out[Indicator.REPORTS_ON_TIME][i][report.handling_unit_id] += 1
    groups = [g for g in ("fraud", "cyber") if not scope.groups or g in scope.groups]
    fraud = {
        i.pk: (i.responsible_unit_id, local_date(i.occurred_from))
        for i in Incident.objects.unrestricted().filter(kind="crime", offence_group__in=groups)
        if (view is None or view.incident(i))
        and (not scope.communes or i.commune_id in scope.communes)
        and (not scope.units or i.responsible_unit_id in scope.units)
    }
    for incident_id, value in IncidentLoss.objects.filter(recovered=True).values_list(
        "incident_id", "value_vnd"
    ):
        if incident_id in fraud:
            unit, day = fraud[incident_id]
            for i, window in enumerate(windows):
                if _in(day, window):
                    out[Indicator.FRAUD_RECOVERED][i][unit] += value
    return out


def _busiest_commune() -> str:
    counts = Counter(
        Incident.objects.unrestricted().filter(kind="crime").values_list("commune_id", flat=True)
    )
    return counts.most_common(1)[0][0]


def _check(values, expected) -> None:
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
    assert values[Indicator.REPORTS_ON_TIME].extra_by_unit == dict(expected["reports_decided"][0])


@pytest.mark.django_db
def test_the_reshaped_indicators_count_what_a_plain_count_over_every_record_finds(data):
    from anninh.campaigns.services import campaign_create

    campaign = campaign_create(actor=data, name="Đối chiếu", first=FIRST, last=LAST)
    scope = Scope.of(campaign)
    assert scope.windows() == WINDOWS
    expected = _reference(None, scope)
    assert expected[Indicator.DRUG_CASES][0], "the data must have drug cases for the check to mean anything"
    assert expected[Indicator.OFFENDERS][0] and expected[Indicator.FRAUD_RECOVERED][0]
    _check(compute_all(data, scope), expected)


@pytest.mark.django_db
def test_a_commune_officer_counts_what_a_plain_count_over_the_records_they_may_see_finds(data):
    """The commune officer's querysets add their scope (the case's incident or report in their
    commune, or their unit's): the figures must be the plain count over what they may see."""
    from anninh.campaigns.services import campaign_create

    commune = _busiest_commune()
    officer = make_user("ref_officer", "commune_officer", unit_code=f"CA{commune}")
    # Some cleared cases of other communes handed to the officer's unit: the officer sees the
    # case (their unit handles it) but not its incident, so not its suspects.
    handed = (
        Case.objects.unrestricted()
        .filter(status="cleared", incident__isnull=False)
        .exclude(incident__commune_id=commune)
        .exclude(incident__responsible_unit_id=officer.unit_id)
        .order_by("pk")
        .values_list("pk", flat=True)[::7]
    )
    Case.objects.unrestricted().filter(pk__in=list(handed)).update(handling_unit_id=officer.unit_id)
    campaign = campaign_create(actor=data, name="Đối chiếu phường", first=FIRST, last=LAST)
    scope = Scope.of(campaign)
    expected = _reference(View(commune=commune, unit=officer.unit_id), scope)
    assert expected[Indicator.CLEARED][0] and expected[Indicator.OFFENDERS][0]
    whole_city = _reference(None, scope)
    assert expected[Indicator.CLEARED][0] != whole_city[Indicator.CLEARED][0], "the scope must matter"
    _check(compute_all(officer, scope), expected)


@pytest.mark.django_db
def test_a_campaign_of_some_communes_groups_and_units_counts_what_a_plain_count_finds(data):
    from anninh.campaigns.services import campaign_create

    counts = Counter(
        Incident.objects.unrestricted().filter(kind="crime").values_list("commune_id", flat=True)
    )
    communes = [code for code, _n in counts.most_common(6)]
    units = sorted(
        set(
            Case.objects.unrestricted()
            .filter(incident__commune_id__in=communes)
            .values_list("handling_unit_id", flat=True)
        )
    )[:-1]
    campaign = campaign_create(
        actor=data,
        name="Đối chiếu chuyên đề",
        first=FIRST,
        last=LAST,
        communes=communes,
        offence_groups=["drugs", "fraud", "property"],
        unit_ids=units,
    )
    scope = Scope.of(campaign)
    assert scope.communes and scope.groups and scope.units
    expected = _reference(None, scope)
    assert expected[Indicator.CLEARED][0] and expected[Indicator.DRUG_CASES][0]
    _check(compute_all(data, scope), expected)
    officer = make_user("ref_officer2", "commune_officer", unit_code=f"CA{communes[0]}")
    _check(compute_all(officer, scope), _reference(View(commune=communes[0], unit=officer.unit_id), scope))


@pytest.mark.django_db
def test_offenders_read_from_the_copied_pairs_are_those_read_through_the_cases_and_links(data):
    """A commander's offenders come from the suspects of cleared cases copied by triggers
    (`ClearedSuspect`), not through the cases and their incidents' links: both readings give
    the same figures, and the data has repeat suspects (the same person in several cleared
    cases of one unit and period), so a sum of suspects per case would not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anninh.campaigns import indicators
    from anninh.campaigns.services import campaign_create

    campaign = campaign_create(actor=data, name="Hai đường", first=FIRST, last=LAST)
    for scope in (Scope.of(campaign), Scope(first=FIRST, last=LAST, units=_some_units())):
        with CaptureQueriesContext(connection) as queries:
            copied = indicators.offenders(data, scope)
        sqls = [q["sql"] for q in queries]
        assert all("campaigns_clearedsuspect" in sql and "records_incidentperson" not in sql for sql in sqls)
        assert len(sqls) == (1 if not scope.units else 2)  # some units: the total is a distinct count
        through = indicators._count_offenders(*indicators._offender_pairs_through_cases(data, scope))
        assert (copied.by_unit, copied.by_unit_last_year) == (through.by_unit, through.by_unit_last_year)
        assert (copied.total, copied.total_last_year) == (through.total, through.total_last_year)
        assert copied.total
    # Repeat suspects: more (case, suspect) pairs in the period than distinct persons per unit.
    cleared = Case.objects.unrestricted().filter(
        status="cleared",
        offender_identified_at__gte=dt.datetime.combine(FIRST, dt.time(), HCM_TZ),
        offender_identified_at__lt=dt.datetime.combine(LAST + dt.timedelta(days=1), dt.time(), HCM_TZ),
    )
    pairs = [
        (unit, person)
        for unit, incident in cleared.values_list("handling_unit_id", "incident_id")
        for person in IncidentPerson.objects.unrestricted()
        .filter(incident_id=incident, role="suspect")
        .values_list("person_id", flat=True)
    ]
    assert len(pairs) > len(set(pairs)), "the data must repeat suspects for the check to mean anything"


def _some_units() -> tuple[int, ...]:
    units = sorted(
        set(Case.objects.unrestricted().filter(status="cleared").values_list("handling_unit_id", flat=True))
    )
    return tuple(units[::2])

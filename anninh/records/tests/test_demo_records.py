"""Synthetic demo records: deterministic, idempotent, labelled synthetic, points inside their
communes, a realistic mix (offences, stages of the legal clock, clearance, fire and rescue)."""

from __future__ import annotations

import collections
import datetime as dt

import pytest
from django.core.management import call_command

from anninh.audit.models import AuditEvent
from anninh.geo.lookup import commune_at
from anninh.lib.dates import HCM_TZ
from anninh.lib.identifiers import normalize_cccd, normalize_phone_vn
from anninh.records.demo import external_id, records_demo_seed, records_generate
from anninh.records.models import (
    Case,
    CrimeReport,
    FireRescueDetail,
    Incident,
    IncidentOffence,
    Person,
    PersonPhone,
    RegisterCounter,
    ResponseTime,
)
from anninh.records.services.io_synthetic import SYNTHETIC, communes_from_db, demo_plan
from anninh.records.services.io_synthetic_parts import person_sort_key_fast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas get passwords; the production hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


END = dt.datetime(2026, 11, 20, 12, 0, tzinfo=HCM_TZ)


def test_the_plan_is_deterministic_in_its_seed():
    communes = communes_from_db()
    first = demo_plan(communes=communes, incidents=300, seed=5, end=END)
    again = demo_plan(communes=communes, incidents=300, seed=5, end=END)
    other = demo_plan(communes=communes, incidents=300, seed=6, end=END)
    assert first == again
    assert first != other
    assert len(first) == 300
    assert all(p.occurred_from.date() >= dt.date(2023, 7, 1) and p.reported_at <= END for p in first)


def test_the_plan_follows_the_city(settings):
    plan = demo_plan(communes=communes_from_db(), incidents=3000, seed=9, end=END)
    articles = collections.Counter(p.article for p in plan if p.article)
    assert articles.most_common(1)[0][0] == "173"
    assert {"174", "171", "168", "134", "249", "251", "321", "322", "201", "290", "260"} <= set(articles)
    assert all(p.occurred_from.date() >= dt.date(2025, 7, 1) for p in plan if p.article == "256a")
    # Dense urban wards: Lê Chân (the densest) has more than a rural commune with more people.
    by_commune = collections.Counter(p.commune for p in plan)
    assert by_commune["11383"] > by_commune["11716"]
    # Tết: gambling in the Tết weeks is well above its usual rate.
    tet = [dt.date(2024, 2, 10), dt.date(2025, 1, 29), dt.date(2026, 2, 17)]
    gambling = [p.occurred_from.date() for p in plan if p.type == "gambling"]
    in_tet = sum(1 for d in gambling if any(0 <= (d - t).days <= 10 for t in tet))
    assert in_tet / len(gambling) > 3 * (33 / 1240)
    assert sum(1 for p in plan if p.parent is not None) > 100  # near-repeats


def test_the_seed_writes_labelled_synthetic_records_once():
    first = records_demo_seed(incidents=300, end=END)
    assert first["incidents"] == 300
    counts = {m: m.objects.count() for m in (Incident, Case, CrimeReport, Person, IncidentOffence)}
    audits = AuditEvent.objects.count()
    assert not Incident.objects.filter(is_synthetic=False).exists()
    assert not Case.objects.filter(is_synthetic=False).exists()
    assert not CrimeReport.objects.filter(is_synthetic=False).exists()
    assert all(n.startswith(SYNTHETIC) for n in Incident.objects.values_list("narrative", flat=True))
    assert AuditEvent.objects.filter(object_type="records.synthetic").count() == 1
    again = records_demo_seed(incidents=300, end=END)
    assert again["skipped"]
    assert {m: m.objects.count() for m in counts} == counts and AuditEvent.objects.count() == audits
    assert records_generate(incidents=300, seed=20230701, end=END)["skipped"]


def test_every_point_lies_in_its_commune():
    records_generate(incidents=300, seed=11, end=END)
    rows = list(Incident.objects.values_list("lat", "lon", "commune_id"))
    assert rows and all(commune_at(lat, lon) == commune for lat, lon, commune in rows)


def test_cases_reports_people_and_rescues_look_real():
    result = records_generate(incidents=1500, seed=3, end=END)
    assert result["overdue_reports"] >= 1
    statuses = set(CrimeReport.objects.values_list("status", flat=True))
    assert {"received", "classified", "verifying", "initiated", "not_initiated", "suspended"} <= statuses
    assert all(
        r.due_on for r in CrimeReport.objects.filter(status__in=["received", "classified", "verifying"])
    )
    cleared = Case.objects.filter(status="cleared")
    assert cleared.exists() and not cleared.filter(offender_identified_at__isnull=True).exists()
    assert Case.objects.filter(offender_identified_at__isnull=True).exists()  # some never cleared
    for cccd in Person.objects.values_list("cccd", flat=True)[:200]:
        assert normalize_cccd(cccd) == cccd
    for phone in PersonPhone.objects.values_list("number", flat=True)[:200]:
        assert normalize_phone_vn(phone) == phone
    rivers = set(
        FireRescueDetail.objects.filter(incident__kind="rescue_drowning").values_list("river", flat=True)
    )
    assert rivers and rivers <= {"cam", "bach_dang", "van_uc", "thai_binh", "kinh_thay", "lach_tray"}
    assert ResponseTime.objects.filter(incident__kind="fire").exists()
    assert Incident.objects.filter(losses_vnd__gt=0).exists()
    # The registers continue after the synthetic numbers.
    counter = RegisterCounter.objects.filter(register="incident").order_by("-last").first()
    assert (
        Incident.objects.filter(number__endswith=f"-{counter.last:05d}").exists()
        or Incident.objects.filter(number__endswith=f"-{counter.last:06d}").exists()
    )


def test_fraud_complaints_name_the_rings_collector_accounts():
    """About three in five fraud reports name one of a few synthetic collector accounts (what
    the early warning's fraud rule groups on); no other report names one."""
    from anninh.records.services.collector import collector_key
    from anninh.records.services.io_synthetic_parts import DEMO_COLLECTORS

    records_generate(incidents=1500, seed=3, end=END)
    fraud = CrimeReport.objects.filter(suspected_offence__article__in=["174", "290"])
    named = fraud.exclude(collector_account="")
    assert fraud.count() >= 10 and 0.4 <= named.count() / fraud.count() <= 0.8
    assert set(named.values_list("collector_account", flat=True)) <= set(DEMO_COLLECTORS)
    assert not CrimeReport.objects.exclude(suspected_offence__article__in=["174", "290"]).exclude(
        collector_account=""
    )
    for key in DEMO_COLLECTORS:  # each is already in the form intake would store
        assert collector_key(*key.split(":")) == key


def test_fast_person_sort_key_matches_the_library():
    from anninh.records.services.persons import person_sort_string

    for family, middle, given in [("Nguyễn", "Văn", "Đức"), ("Trần", "Thị", "Thủy"), ("Đỗ", "Ngọc", "Anh")]:
        assert person_sort_key_fast(family, middle, given) == person_sort_string(f"{family} {middle} {given}")


def test_the_generator_writes_a_csv_that_imports(tmp_path):
    path = tmp_path / "synthetic.csv"
    call_command("records_generate", "--incidents", "200", "--seed", "4", "--csv", str(path), "--no-progress")
    call_command("import_incidents", str(path), "--unit", "PV01", "--no-progress")
    assert Incident.objects.filter(is_synthetic=True).count() == 200
    assert Incident.objects.filter(external_id=external_id(4, 0)).exists()


def test_the_demo_registers_the_records_seeder():
    from anninh.demo.services import SEEDERS

    assert ("records", records_demo_seed) in SEEDERS

"""The person index: one person per real person, matched on normalised CCCD and phone numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.models import IncidentPerson, Person, PersonMatch, PersonPhone
from anninh.records.services.persons import person_resolve
from anninh.records.tests.test_incidents_factories import fast_passwords, record  # noqa: F401 - autouse
from anninh.records.versioning import RecordError

CCCD = "031095012345"
OTHER_CCCD = "031095099999"


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


@pytest.fixture(autouse=True)
def _incident(officer):
    """One incident of the officer's commune: each person resolved is named in it, as the
    services do, so the officer may see them (the index matches only persons in scope)."""
    global _INCIDENT
    _INCIDENT = record(officer)


_INCIDENT = None


def resolve(officer, **fields):
    fields.setdefault("full_name", "Nguyễn Văn An")
    person = person_resolve(actor=officer, **fields)
    IncidentPerson.objects.get_or_create(incident=_INCIDENT, person=person, role="witness")
    return person


def test_a_new_person_is_created_with_normalised_identifiers_and_audited(officer):
    person = resolve(
        officer, full_name="  nguyễn   văn  hoà ", cccd="031 095 012345", phones=["+84 912.345.678"]
    )
    assert person.full_name == "nguyễn văn hòa"
    assert person.cccd == CCCD and person.name_key == "nguyen van hoa"
    assert list(person.phones.values_list("number", flat=True)) == ["0912345678"]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="records.person")
    assert event.after["phones"] == ["0912345678"]


def test_persons_sort_by_given_name_in_vietnamese_order(officer):
    for name in ["Trần Văn Đức", "Phạm An", "Nguyễn Văn Dũng", "Lê Thị Zung"]:
        resolve(officer, full_name=name)
    names = list(Person.objects.order_by("sort_key").values_list("full_name", flat=True))
    assert names == ["Phạm An", "Nguyễn Văn Dũng", "Trần Văn Đức", "Lê Thị Zung"]


@pytest.mark.parametrize("cccd", [CCCD, "031 095 012 345", " 031095012345 "])
def test_the_same_cccd_however_written_never_makes_two_people(officer, cccd):
    first = resolve(officer, cccd=CCCD)
    again = resolve(officer, full_name="Nguyen Van An", cccd=cccd)
    assert again.pk == first.pk and Person.objects.count() == 1


@pytest.mark.parametrize(
    "phone", ["0912345678", "+84912345678", "84 912 345 678", "+84 0912-345-678", "091 234 5678"]
)
def test_the_same_phone_however_written_with_the_same_name_is_one_person(officer, phone):
    first = resolve(officer, phones=["0912345678"])
    again = resolve(officer, full_name="Nguyen Van An", phones=[phone])
    assert again.pk == first.pk and Person.objects.count() == 1 and PersonPhone.objects.count() == 1


def test_a_match_adds_the_new_identifiers_and_missing_facts_to_the_person(officer):
    first = resolve(officer, phones=["0912345678"])
    again = resolve(
        officer,
        cccd=CCCD,
        phones=["0912345678", "0987654321"],
        birth_date=dt.date(1995, 3, 4),
        address="5 Lạch Tray",
    )
    assert again.pk == first.pk
    again.refresh_from_db()
    assert again.cccd == CCCD and again.birth_date == dt.date(1995, 3, 4) and again.birth_year == 1995
    assert again.address == "5 Lạch Tray" and again.version == 2
    assert sorted(again.phones.values_list("number", flat=True)) == ["0912345678", "0987654321"]
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="records.person").count() == 1


def test_a_match_never_overwrites_what_is_on_file(officer):
    first = resolve(officer, cccd=CCCD, address="Địa chỉ cũ", birth_date=dt.date(1995, 1, 1))
    resolve(officer, full_name="Tên khác", cccd=CCCD, address="Địa chỉ mới", birth_date=dt.date(1995, 2, 1))
    first.refresh_from_db()
    assert (first.full_name, first.address, first.birth_date) == (
        "Nguyễn Văn An",
        "Địa chỉ cũ",
        dt.date(1995, 1, 1),
    )


def test_a_match_that_adds_nothing_writes_no_audit_row(officer):
    resolve(officer, cccd=CCCD)
    resolve(officer, cccd=CCCD)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="records.person").exists()


def test_a_cccd_and_a_phone_of_two_people_on_file_give_the_cccd_holder_and_a_review(officer):
    """Before: "person.ambiguous". A CCCD is an identity, a phone a lead: the CCCD's holder
    is the person; the other person with the phone is a candidate for review."""
    a = resolve(officer, cccd=CCCD)
    b = resolve(officer, full_name="Lê Thị Bình", phones=["0912345678"])
    again = resolve(officer, cccd=CCCD, phones=["0912345678"])
    assert again.pk == a.pk and Person.objects.count() == 2
    assert b.phones.count() == 1 and a.phones.count() == 1
    assert PersonMatch.objects.unrestricted().filter(person=a, candidate=b, reason="phone").exists()


def test_a_phone_of_a_person_with_another_cccd_is_another_person(officer):
    """Before: "person.cccd_conflict", which told anyone that the phone was on file."""
    first = resolve(officer, cccd=OTHER_CCCD, phones=["0912345678"])
    second = resolve(officer, cccd=CCCD, phones=["0912345678"])
    assert second.pk != first.pk and second.cccd == CCCD
    first.refresh_from_db()
    assert first.cccd == OTHER_CCCD


def test_people_without_identifiers_are_never_merged_by_name(officer):
    resolve(officer)
    resolve(officer)
    assert Person.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"cccd": "12345"}, "cccd.length", "cccd"),
        ({"cccd": "abc"}, "cccd.not_digits", "cccd"),
        ({"phones": ["12345"]}, "phone.prefix", "phones"),
        ({"phones": ["0212345678"]}, "phone.prefix", "phones"),
        ({"full_name": ""}, "person.name", "full_name"),
        ({"full_name": "x" * 151}, "person.name_length", "full_name"),
        ({"birth_date": dt.date(1850, 1, 1)}, "person.birth_date", "birth_date"),
        ({"birth_year": 3000}, "person.birth_year", "birth_year"),
        ({"phones": [f"09123456{i:02d}" for i in range(6)]}, "person.phones", "phones"),
    ],
)
def test_invalid_input_is_refused_with_its_field_and_nothing_is_saved(officer, fields, code, field):
    with pytest.raises(RecordError) as err:
        resolve(officer, **fields)
    assert (err.value.code, err.value.field) == (code, field)
    assert Person.objects.count() == 0


def test_the_same_phone_twice_in_one_call_is_stored_once(officer):
    person = resolve(officer, phones=["0912345678", "+84912345678"])
    assert person.phones.count() == 1


def test_a_person_created_meanwhile_by_someone_else_is_matched_not_duplicated(officer, monkeypatch):
    """The race: the lookup finds nobody, then the insert hits the unique CCCD someone else
    committed in between; the service matches against their row instead of failing."""
    existing = Person.objects.create(
        full_name="Người khác", name_key="nguoi khac", sort_key="khac", cccd=CCCD
    )
    IncidentPerson.objects.create(incident=_INCIDENT, person=existing, role="victim")
    real = Person.objects.unrestricted
    calls = {"n": 0}

    def blind_once():
        calls["n"] += 1
        found = real()
        return found.none() if calls["n"] == 1 else found

    monkeypatch.setattr(Person.objects, "unrestricted", blind_once)
    real_restrict = Person.objects.restrict
    seen = {"n": 0}

    def restrict_blind_once(viewer):
        # Blind during the first attempt (before the retry's second unrestricted lookup),
        # however many scoped lookups that attempt makes.
        seen["n"] += 1
        found = real_restrict(viewer)
        return found.none() if calls["n"] <= 1 else found

    monkeypatch.setattr(Person.objects, "restrict", restrict_blind_once)
    person = resolve(officer, cccd=CCCD)
    assert person.pk == existing.pk and calls["n"] >= 2
    monkeypatch.undo()
    assert Person.objects.count() == 1

"""A person's sex, and the CCCD's century-and-sex digit checked against it (issue #12 item 8).

A CCCD's 4th digit gives the century and the sex (0/1: born in the 1900s, male/female; 2/3:
2000s), its 5th-6th digits the year. A CCCD that contradicts the sex or the year given is a
typo in one of them: refused with a message. In matching, a CCCD is never attached to a
person on file whose recorded sex or birth year the CCCD contradicts.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from anninh.records.models import IncidentPerson, Person, PersonMatch, Sex
from anninh.records.services.persons import person_resolve
from anninh.records.tests.test_incidents_factories import fast_passwords, record  # noqa: F401 - autouse
from anninh.records.versioning import RecordError

MALE_1995 = "031095012345"  # 4th digit 0: male, 1900s; year 95
FEMALE_1995 = "031195012345"  # 4th digit 1: female, 1900s
FEMALE_2003 = "031303012345"  # 4th digit 3: female, 2000s; year 03


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


@pytest.fixture
def incident(officer):
    return record(officer)


def resolve(officer, incident, **fields):
    fields.setdefault("full_name", "Nguyễn Văn An")
    person = person_resolve(actor=officer, **fields)
    IncidentPerson.objects.get_or_create(incident=incident, person=person, role="witness")
    return person


def test_the_sex_is_stored_and_defaults_to_not_known(officer, incident):
    known = resolve(officer, incident, sex=Sex.FEMALE, full_name="Lê Thị Bình")
    unknown = resolve(officer, incident)
    assert known.sex == "female" and unknown.sex == Sex.UNKNOWN == "unknown"


def test_an_unknown_sex_value_is_refused(officer, incident):
    with pytest.raises(RecordError) as err:
        resolve(officer, incident, sex="x")
    assert (err.value.code, err.value.field) == ("person.sex", "sex")
    assert Person.objects.count() == 0


@pytest.mark.parametrize(("cccd", "sex"), [(MALE_1995, "female"), (FEMALE_1995, "male")])
def test_a_cccd_whose_sex_digit_contradicts_the_sex_given_is_refused(officer, incident, cccd, sex):
    with pytest.raises(RecordError) as err:
        resolve(officer, incident, cccd=cccd, sex=sex)
    assert (err.value.code, err.value.field) == ("cccd.sex", "cccd")
    assert Person.objects.count() == 0


def test_the_sex_message_says_what_the_cccd_encodes_in_the_users_language(officer, incident):
    with translation.override("en"), pytest.raises(RecordError) as err:
        resolve(officer, incident, cccd=FEMALE_1995, sex="male")
    assert "“female”" in err.value.message and "“male”" in err.value.message


def test_a_cccd_of_another_century_is_refused_against_the_birth_year(officer, incident):
    """The century half of the digit: 3 means the 2000s, so 1903 is refused, 2003 accepted."""
    with pytest.raises(RecordError) as err:
        resolve(officer, incident, cccd=FEMALE_2003, birth_year=1903)
    assert err.value.code == "cccd.birth_year"
    person = resolve(officer, incident, cccd=FEMALE_2003, birth_year=2003, sex="female")
    assert person.cccd == FEMALE_2003


@pytest.mark.parametrize("sex", ["male", "unknown", ""])
def test_a_cccd_that_agrees_or_a_sex_not_known_is_accepted(officer, incident, sex):
    person = resolve(officer, incident, cccd=MALE_1995, sex=sex, birth_date=dt.date(1995, 5, 1))
    assert person.cccd == MALE_1995


def test_a_cccd_is_not_attached_to_a_person_on_file_of_the_other_sex(officer, incident):
    """The husband is on file with a phone and his sex; his wife arrives with the same
    (folded) name written alike, the same phone and her CCCD, her sex not typed: the CCCD's
    sex digit contradicts him, so she is a new person and a review is opened."""
    husband = resolve(officer, incident, phones=["0912345678"], sex="male")
    wife = resolve(officer, incident, phones=["0912345678"], cccd=FEMALE_1995)
    husband.refresh_from_db()
    assert wife.pk != husband.pk and husband.cccd is None and wife.cccd == FEMALE_1995
    assert PersonMatch.objects.unrestricted().filter(person=wife, candidate=husband).exists()


def test_a_cccd_is_not_attached_to_a_person_on_file_born_in_another_year(officer, incident):
    first = resolve(officer, incident, phones=["0912345678"], birth_year=1970)
    second = resolve(officer, incident, phones=["0912345678"], cccd=MALE_1995)
    first.refresh_from_db()
    assert second.pk != first.pk and first.cccd is None


def test_a_sex_given_that_differs_from_the_person_on_file_is_another_person(officer, incident):
    first = resolve(officer, incident, phones=["0912345678"], sex="male")
    second = resolve(officer, incident, phones=["0912345678"], sex="female")
    assert second.pk != first.pk


def test_a_sex_given_that_contradicts_the_cccd_on_file_is_another_person(officer, incident):
    """The person on file has a CCCD but no sex typed: the CCCD's digit is their sex."""
    first = resolve(officer, incident, phones=["0912345678"], cccd=MALE_1995)
    second = resolve(officer, incident, phones=["0912345678"], sex="female")
    assert second.pk != first.pk


def test_a_cccd_that_agrees_with_the_person_on_file_is_attached_with_the_sex(officer, incident):
    first = resolve(officer, incident, phones=["0912345678"], birth_year=1995)
    again = resolve(officer, incident, phones=["0912345678"], cccd=MALE_1995, sex="male")
    first.refresh_from_db()
    assert again.pk == first.pk and first.cccd == MALE_1995 and first.sex == "male"


def test_a_match_never_overwrites_a_known_sex(officer, incident):
    first = resolve(officer, incident, cccd=MALE_1995, sex="male")
    resolve(officer, incident, cccd=MALE_1995, sex="unknown")
    first.refresh_from_db()
    assert first.sex == "male"


# Through the API and the forms --------------------------------------------------------------


def test_the_incident_api_takes_the_sex_and_refuses_a_cccd_of_the_other_sex(personas):
    from anninh.records.models import Incident
    from anninh.records.tests.test_incidents_api import BASE, body
    from anninh.testing.matrix import client_for

    client = client_for(personas["commune_officer"])
    person = {"role": "victim", "full_name": "Lê Thị Bình", "cccd": MALE_1995, "sex": "female"}
    bad = client.post(BASE, body(persons=[person]), content_type="application/json")
    assert bad.status_code == 422 and Incident.objects.count() == 0
    (problem,) = bad.json()["detail"]
    assert problem["type"] == "cccd.sex" and problem["loc"][-1] == "cccd"
    good = client.post(BASE, body(persons=[{**person, "cccd": FEMALE_1995}]), content_type="application/json")
    assert good.status_code == 201, good.content
    (out,) = good.json()["persons"]
    assert out["sex"] == "female" and Person.objects.get().sex == "female"


def test_the_report_api_refuses_a_reporter_cccd_of_the_other_sex(personas):
    from anninh.records.models import CrimeReport
    from anninh.records.tests.test_reports_api import receive_body
    from anninh.testing.matrix import client_for

    client = client_for(personas["commune_officer"])
    reporter = {"full_name": "Ngô Văn Lâm", "cccd": FEMALE_1995, "sex": "male"}
    bad = client.post(
        "/api/records/reports", receive_body(reporter=reporter), content_type="application/json"
    )
    assert bad.status_code == 422 and CrimeReport.objects.count() == 0
    (problem,) = bad.json()["detail"]
    assert problem["type"] == "cccd.sex" and problem["loc"] == ["body", "reporter", "cccd"]
    good = client.post(
        "/api/records/reports",
        receive_body(reporter={**reporter, "cccd": MALE_1995}),
        content_type="application/json",
    )
    assert good.status_code == 201 and good.json()["reporter"]["sex"] == "male"


def test_the_person_page_shows_the_sex(personas, officer, incident):
    from anninh.testing.matrix import client_for

    person = resolve(officer, incident, sex="female", full_name="Lê Thị Bình")
    with translation.override("en"):
        page = client_for(personas["commune_officer"]).get(
            f"/records/persons/{person.pk}/", headers={"Accept-Language": "en"}
        )
    assert page.status_code == 200 and "Female" in page.content.decode()

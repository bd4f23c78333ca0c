"""The person index never reveals or changes a person the actor cannot see (security review,
item 1), and a shared phone is a lead, never an identity (statistics review, item 8).

An officer of Hồng Bàng who names a witness with a phone or CCCD already on file for a
person of Ngô Quyền gets a new person record: nothing of the other person comes back, nothing
of theirs changes, no error tells that the number exists. The possible match goes to a review
that only someone who may see both persons can open, and the review is audited.
"""

from __future__ import annotations

import datetime as dt

import pytest

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.models import IncidentPerson, Person, PersonMatch, PersonPhone
from anninh.records.services.persons import person_match_decide, person_resolve
from anninh.records.tests.test_incidents_factories import fast_passwords, record  # noqa: F401
from anninh.records.versioning import RecordError
from anninh.testing.matrix import LOGIN, check_matrix
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

PHONE = "0709220355"
CCCD = "031095012345"  # born 1995, male (digit 4 is 0: 20th century, male)


def intake(officer, commune: str = COMMUNE_A, role: str = "witness", **fields) -> Person:
    """A person named by `officer` in a new incident of their commune (as the services do)."""
    incident = record(officer, commune=commune)
    person = person_resolve(actor=officer, **fields)
    IncidentPerson.objects.create(incident=incident, person=person, role=role)
    return person


@pytest.fixture
def on_file_in_b(personas):
    """A person of Ngô Quyền, named in an incident there by that commune's officer."""
    officer_b = personas["other_commune_officer"]
    incident = record(officer_b, commune=COMMUNE_B)
    person = person_resolve(
        actor=officer_b, full_name="Trần Thị Bé", cccd=CCCD, phones=[PHONE], birth_year=1995
    )
    IncidentPerson.objects.create(incident=incident, person=person, role="victim")
    return person


def test_a_phone_on_file_in_another_commune_gives_a_new_person_and_reveals_nothing(personas, on_file_in_b):
    officer_a = personas["commune_officer"]
    before = Person.objects.unrestricted().get(pk=on_file_in_b.pk)
    person = person_resolve(actor=officer_a, full_name="Nguyễn Văn Khách", phones=[PHONE])
    assert person.pk != on_file_in_b.pk
    assert person.full_name == "Nguyễn Văn Khách" and person.cccd is None
    after = Person.objects.unrestricted().get(pk=on_file_in_b.pk)
    assert (after.full_name, after.cccd, after.version) == (before.full_name, before.cccd, before.version)
    assert list(after.phones.values_list("number", flat=True)) == [PHONE]
    [match] = PersonMatch.objects.unrestricted().all()
    assert (match.person_id, match.candidate_id, match.reason) == (person.pk, on_file_in_b.pk, "phone")


def test_a_cccd_on_file_in_another_commune_is_withheld_and_sent_to_review(personas, on_file_in_b):
    officer_a = personas["commune_officer"]
    person = person_resolve(actor=officer_a, full_name="Ai Đó", cccd=CCCD, phones=["0912345678"])
    assert person.pk != on_file_in_b.pk and person.cccd is None
    match = PersonMatch.objects.unrestricted().get(person=person)
    assert (match.candidate_id, match.reason, match.claimed_cccd) == (on_file_in_b.pk, "cccd", CCCD)
    on_file_in_b.refresh_from_db()
    assert on_file_in_b.full_name == "Trần Thị Bé" and on_file_in_b.phones.count() == 1


def test_a_dummy_cccd_with_a_known_phone_is_no_existence_oracle(personas, on_file_in_b):
    """Before: 422 person.cccd_conflict, without an audit row, told that the phone exists."""
    officer_a = personas["commune_officer"]
    person = person_resolve(actor=officer_a, full_name="Dò Thử", cccd="001090000001", phones=[PHONE])
    assert person.pk != on_file_in_b.pk and person.cccd == "001090000001"


def test_matching_within_the_actors_own_records_still_finds_the_person(personas):
    officer = personas["commune_officer"]
    incident = record(officer, commune=COMMUNE_A)
    first = person_resolve(actor=officer, full_name="Lê Văn Mười", cccd=CCCD, phones=[PHONE])
    IncidentPerson.objects.create(incident=incident, person=first, role="witness")
    again = person_resolve(actor=officer, full_name="Le Van Muoi", cccd=CCCD, phones=["0912345678"])
    assert again.pk == first.pk
    assert sorted(again.phones.values_list("number", flat=True)) == sorted([PHONE, "0912345678"])


def test_husband_and_wife_sharing_a_phone_stay_two_people(personas):
    officer = personas["commune_officer"]
    incident = record(officer, commune=COMMUNE_A)
    husband = person_resolve(actor=officer, full_name="Phạm Văn Chồng", phones=[PHONE], birth_year=1980)
    IncidentPerson.objects.create(incident=incident, person=husband, role="victim")
    wife = person_resolve(
        actor=officer, full_name="Đỗ Thị Vợ", cccd="031182012345", phones=[PHONE], birth_year=1982
    )
    assert wife.pk != husband.pk
    husband.refresh_from_db()
    assert husband.cccd is None and husband.full_name == "Phạm Văn Chồng"
    assert wife.cccd == "031182012345"
    assert PersonPhone.objects.unrestricted().filter(number=PHONE).count() == 2
    assert PersonMatch.objects.unrestricted().filter(person=wife, candidate=husband, reason="phone").exists()


def test_a_cccd_is_not_attached_to_a_phone_match_whose_birth_year_differs(personas):
    officer = personas["commune_officer"]
    incident = record(officer, commune=COMMUNE_A)
    first = person_resolve(actor=officer, full_name="Vũ Văn Bố", phones=[PHONE], birth_year=1960)
    IncidentPerson.objects.create(incident=incident, person=first, role="victim")
    son = person_resolve(actor=officer, full_name="Vũ Văn Bố", cccd=CCCD, phones=[PHONE], birth_year=1995)
    assert son.pk != first.pk
    first.refresh_from_db()
    assert first.cccd is None


def test_a_cccd_whose_birth_digits_contradict_the_year_of_birth_is_refused(personas):
    with pytest.raises(RecordError) as err:
        person_resolve(
            actor=personas["commune_officer"], full_name="Sai Năm", cccd=CCCD, birth_date=dt.date(1988, 5, 1)
        )
    assert (err.value.code, err.value.field) == ("cccd.birth_year", "cccd")
    assert not Person.objects.unrestricted().exists()


def test_the_review_queue_opens_only_for_those_who_may_see_both_persons(personas, on_file_in_b):
    intake(personas["commune_officer"], full_name="Nguyễn Văn Khách", phones=[PHONE])
    match = PersonMatch.objects.unrestricted().get()
    assert list(PersonMatch.objects.restrict(personas["commander"])) == [match]
    for name in ("commune_officer", "other_commune_officer", "analyst", "auditor", "administrator"):
        assert not PersonMatch.objects.restrict(personas[name]).exists(), name


def test_the_review_page_permission_matrix(personas, on_file_in_b):
    intake(personas["commune_officer"], full_name="Nguyễn Văn Khách", phones=[PHONE])
    expected = {
        "anonymous": LOGIN,
        "commander": 200,
        "analyst": 403,
        "investigator": 200,
        "commune_officer": 200,
        "other_commune_officer": 200,
        "fire_rescue": 403,
        "public_relations": 403,
        "auditor": 403,
        "administrator": 403,
        "no_role": 403,
    }
    check_matrix("/records/persons/matches/", expected, personas=personas)


def test_the_commander_merges_a_match_and_the_record_moves_to_the_person_on_file(
    personas, on_file_in_b, client
):
    officer_a = personas["commune_officer"]
    incident = record(officer_a, commune=COMMUNE_A)
    dup = person_resolve(actor=officer_a, full_name="Tran Thi Be", cccd=CCCD, phones=["0912345678"])
    IncidentPerson.objects.create(incident=incident, person=dup, role="witness")
    match = PersonMatch.objects.unrestricted().get(person=dup)
    commander = personas["commander"]
    # The officer may see only one of the two: the review is not theirs (404, audited).
    with pytest.raises(Exception) as err:
        person_match_decide(actor=officer_a, match_id=match.pk, decision="merge")
    assert type(err.value).__name__ == "Http404"
    person_match_decide(actor=commander, match_id=match.pk, decision="merge")
    assert not Person.objects.unrestricted().filter(pk=dup.pk).exists()
    link = IncidentPerson.objects.unrestricted().get(incident=incident)
    assert link.person_id == on_file_in_b.pk
    assert sorted(on_file_in_b.phones.values_list("number", flat=True)) == sorted([PHONE, "0912345678"])
    match.refresh_from_db()
    assert match.status == "merged" and match.decided_by_id == commander.pk
    merged = AuditEvent.objects.filter(action=AuditAction.UPDATE, object_type="records.person").last()
    assert merged.extra["merged_from"] == dup.pk and merged.actor_id == commander.pk


def test_rejecting_a_match_keeps_both_people(personas, on_file_in_b):
    dup = intake(personas["commune_officer"], full_name="Khác Hẳn", phones=[PHONE])
    match = PersonMatch.objects.unrestricted().get(person=dup)
    person_match_decide(actor=personas["commander"], match_id=match.pk, decision="reject", note="khác người")
    match.refresh_from_db()
    assert match.status == "rejected"
    assert Person.objects.unrestricted().filter(pk__in=[dup.pk, on_file_in_b.pk]).count() == 2
    assert AuditEvent.objects.filter(object_type="records.personmatch", object_id=str(match.pk)).exists()

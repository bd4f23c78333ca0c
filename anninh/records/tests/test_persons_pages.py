"""Person pages and API: only roles with personal data (analysts with a grant), only persons
linked to records the viewer can see, searches by folded name, CCCD and phone, every look
audited."""

from __future__ import annotations

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.models import Person, PersonMatch
from anninh.records.services.reports import ReporterInput
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    COMMUNE_B,
    fast_passwords,
    receive,
)
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for

PAGE = {
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
API = {**PAGE, "anonymous": UNAUTHORIZED}


def _reporter(personas, name="Trịnh Văn Quang", **kwargs):
    report = receive(
        personas["commune_officer"],
        reporter=ReporterInput(
            full_name=name,
            cccd=kwargs.pop("cccd", "031077000555"),
            phones=kwargs.pop("phones", ("0966000555",)),
        ),
        **kwargs,
    )
    return report, report.reporter


def test_the_person_search_page_answers_every_persona(personas):
    check_matrix("/records/persons/?q=quang", PAGE, personas=personas)


def test_the_person_search_api_answers_every_persona(personas):
    check_matrix("/api/records/persons?q=quang", API, personas=personas)


def test_a_person_page_answers_only_those_who_see_one_of_their_records(personas):
    _, person = _reporter(personas)
    check_matrix(
        f"/records/persons/{person.pk}/",
        {**PAGE, "investigator": 404, "other_commune_officer": 404},
        personas=personas,
    )


def test_a_person_api_answers_only_those_who_see_one_of_their_records(personas):
    _, person = _reporter(personas)
    check_matrix(
        f"/api/records/persons/{person.pk}",
        {**API, "investigator": 404, "other_commune_officer": 404},
        personas=personas,
    )


def test_an_analyst_with_a_grant_may_read_persons(personas):
    _, person = _reporter(personas)
    analyst = personas["analyst"]
    analyst.personal_data_granted = True
    analyst.save(update_fields=["personal_data_granted"])
    assert client_for(analyst).get(f"/records/persons/{person.pk}/").status_code == 200


def test_every_look_at_a_person_is_audited(personas):
    _, person = _reporter(personas)
    officer = personas["commune_officer"]
    client = client_for(officer)
    client.get(f"/records/persons/{person.pk}/")
    client.get(f"/api/records/persons/{person.pk}")
    client.get("/records/persons/?q=quang")
    client.get("/api/records/persons?q=0966000555")
    views = AuditEvent.objects.filter(
        action=AuditAction.VIEW, actor_id=officer.pk, object_type="records.person"
    )
    assert views.filter(object_id=str(person.pk)).count() == 2
    searches = [e.extra for e in views.filter(object_id="").order_by("id")]
    assert [(s["via"], s["q"], s["results"]) for s in searches] == [
        ("page", "quang", 1),
        ("api", "0966000555", 1),
    ]


def test_persons_are_found_by_folded_name_cccd_or_phone_however_written(personas):
    _, person = _reporter(personas, name="Trịnh Văn Quang")
    _, other = _reporter(personas, name="Trịnh Thị Hà", cccd="031077000666", phones=("0966000666",))
    client = client_for(personas["commune_officer"])

    def found(q):
        return [p["id"] for p in client.get("/api/records/persons", {"q": q}).json()["items"]]

    assert found("trinh quang") == [person.pk]
    assert found("TRỊNH văn") == [person.pk]
    assert found("031077000555") == [person.pk]
    assert found("031 077") == [other.pk, person.pk]  # Hà before Quang
    assert found("+84 966 000 555") == [person.pk]
    assert found("000555") == [person.pk]
    assert found("nobody") == []


def test_search_results_are_sorted_by_given_name(personas):
    for i, name in enumerate(["Trần Văn Đức", "Phạm An", "Nguyễn Văn Dũng"]):
        _reporter(personas, name=name, cccd=f"0310770009{i:02d}", phones=(f"09660009{i:02d}",))
    data = client_for(personas["commander"]).get("/api/records/persons", {"q": "a"}).json()
    assert [p["full_name"] for p in data["items"]] == ["Phạm An", "Nguyễn Văn Dũng", "Trần Văn Đức"]


def test_a_person_is_found_only_through_records_the_viewer_can_see(personas):
    _, person = _reporter(personas)
    client = client_for(personas["other_commune_officer"])
    assert client.get("/api/records/persons", {"q": "quang"}).json()["items"] == []
    # When they report in the other commune too, its officer gets a person record of their own:
    # nothing of the first commune's record comes back (not even that the CCCD is on file), and
    # the possible identity goes to a review for someone who may see both.
    other_report = receive(
        personas["other_commune_officer"],
        commune_code=COMMUNE_B,
        reporter=ReporterInput(full_name="Trịnh Văn Quang", cccd="031077000555"),
    )
    assert other_report.reporter_id != person.pk
    assert Person.objects.unrestricted().get(pk=other_report.reporter_id).cccd is None
    assert (
        PersonMatch.objects.unrestricted()
        .filter(person_id=other_report.reporter_id, candidate=person, reason="cccd")
        .exists()
    )
    assert [p["id"] for p in client.get("/api/records/persons", {"q": "quang"}).json()["items"]] == [
        other_report.reporter_id
    ]
    assert client.get(f"/api/records/persons/{person.pk}").status_code == 404


def test_a_confidential_reporter_is_not_found_outside_the_handling_unit(personas):
    report, person = _reporter(personas, reporter_confidential=True)
    commander = client_for(personas["commander"])
    assert commander.get("/api/records/persons", {"q": "quang"}).json()["items"] == []
    assert commander.get(f"/records/persons/{person.pk}/").status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED,
        actor_id=personas["commander"].pk,
        object_type="records.person",
        object_id=str(person.pk),
    ).exists()
    own = client_for(personas["commune_officer"]).get(f"/api/records/persons/{person.pk}").json()
    assert [r["id"] for r in own["reports"]] == [report.pk]


def test_the_person_page_lists_the_records_and_says_the_look_is_recorded(personas):
    report, person = _reporter(personas)
    page = (
        client_for(personas["commune_officer"])
        .get(f"/records/persons/{person.pk}/", headers={"Accept-Language": "en"})
        .content.decode()
    )
    assert "Trịnh Văn Quang" in page and "031077000555" in page and "0966000555" in page
    assert report.register_number in page and "recorded in the audit log" in page


def test_the_search_page_without_a_query_says_what_to_do_and_audits_nothing(personas):
    officer = personas["commune_officer"]
    page = client_for(officer).get("/records/persons/", headers={"Accept-Language": "en"}).content.decode()
    assert "Search to find a person." in page
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, actor_id=officer.pk).exists()


def test_the_person_search_costs_the_same_queries_for_few_or_many_people(
    personas, django_assert_max_num_queries
):
    client = client_for(personas["commune_officer"])
    for i in range(3):
        _reporter(
            personas, name=f"Trịnh Văn Quang {i}", cccd=f"0310770011{i:02d}", phones=(f"09660011{i:02d}",)
        )
    client.get("/records/persons/?q=trinh")
    with django_assert_max_num_queries(20) as few:
        client.get("/records/persons/?q=trinh")
    for i in range(3, 15):
        _reporter(
            personas, name=f"Trịnh Văn Quang {i}", cccd=f"0310770011{i:02d}", phones=(f"09660011{i:02d}",)
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/records/persons/?q=trinh").content.decode()
    assert page.count('data-href="/records/persons/') == 15

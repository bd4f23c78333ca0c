"""Who sees which crime reports, and who sees the reporter: commune officers their commune,
investigators their department, guessed ids 404 with an audited refusal, confidential reporters
only for the handling unit, names never for analysts without a grant."""

from __future__ import annotations

import datetime as dt

from anninh.audit.models import AuditAction, AuditEvent
from anninh.org.models import Unit
from anninh.records.selectors import reports as selectors
from anninh.records.services import reports as services
from anninh.records.services.reports import ReporterInput
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    COMMUNE_A,
    COMMUNE_B,
    S,
    advance,
    fast_passwords,
    receive,
)
from anninh.testing.matrix import client_for
from anninh.testing.personas import make_user

EN = {"Accept-Language": "en"}
SECRET = "Hoàng Thị Mật"


def _confidential(officer):
    return receive(
        officer,
        reporter=ReporterInput(full_name=SECRET, cccd="031088000222", phones=("0933000222",)),
        reporter_confidential=True,
    )


def _transfer_to_pc02(officer, report):
    report = advance(report, officer, S.CLASSIFIED)
    pc02 = Unit.objects.get(code="PC02")
    return services.crime_report_transfer(
        actor=officer, report=report, version=report.version, to_unit_id=pc02.pk
    )


def test_a_commune_officer_lists_only_their_communes_reports(personas):
    mine = receive(personas["commune_officer"])
    theirs = receive(personas["other_commune_officer"], commune_code=COMMUNE_B)
    page = client_for(personas["commune_officer"]).get("/records/reports/").content.decode()
    assert mine.register_number in page and theirs.register_number not in page
    api = client_for(personas["commune_officer"]).get("/api/records/reports").json()
    assert [r["id"] for r in api["items"]] == [mine.pk]


def test_a_commune_officer_sees_a_report_about_their_commune_received_elsewhere(personas):
    report = receive(personas["investigator"], commune_code=COMMUNE_A)
    assert client_for(personas["commune_officer"]).get(f"/records/reports/{report.pk}/").status_code == 200
    assert (
        client_for(personas["other_commune_officer"]).get(f"/records/reports/{report.pk}/").status_code == 404
    )


def test_a_guessed_id_is_404_and_leaves_an_audited_refusal_on_page_and_api(personas):
    report = receive(personas["commune_officer"])
    other = personas["other_commune_officer"]
    client = client_for(other)
    assert client.get(f"/records/reports/{report.pk}/").status_code == 404
    assert client.get(f"/api/records/reports/{report.pk}").status_code == 404
    assert (
        client.post(
            f"/api/records/reports/{report.pk}/classify", {"version": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    denials = AuditEvent.objects.filter(
        action=AuditAction.DENIED,
        actor_id=other.pk,
        object_type="records.crimereport",
        object_id=str(report.pk),
    )
    assert denials.count() == 3


def test_an_investigator_sees_what_their_department_received_handles_or_is_asked_to_accept(personas):
    officer, investigator = personas["commune_officer"], personas["investigator"]
    own = receive(investigator, commune_code=COMMUNE_B)
    transferred = _transfer_to_pc02(officer, receive(officer))
    unrelated = receive(officer)
    visible = set(selectors.report_list(viewer=investigator).values_list("pk", flat=True))
    assert visible == {own.pk, transferred.pk}
    assert client_for(investigator).get(f"/records/reports/{unrelated.pk}/").status_code == 404


def test_the_department_includes_its_sub_units(personas):
    pc02 = Unit.objects.get(code="PC02")
    team = Unit.objects.create(code="PC02-D1", name="Đội 1", kind="department", parent=pc02)
    team_member = make_user("team_investigator", "investigator", unit_code="PC02-D1")
    report = receive(team_member, commune_code=COMMUNE_B)
    assert report.receiving_unit_id == team.pk
    assert selectors.report_list(viewer=personas["investigator"]).filter(pk=report.pk).exists()


def test_a_confidential_reporter_is_seen_only_by_the_handling_unit(personas):
    officer = personas["commune_officer"]
    report = _confidential(officer)
    own = client_for(officer).get(f"/records/reports/{report.pk}/", headers=EN).content.decode()
    assert SECRET in own and "confidential: only your unit sees this" in own
    for name in ("commander", "analyst"):
        page = client_for(personas[name]).get(f"/records/reports/{report.pk}/", headers=EN).content.decode()
        assert SECRET not in page and "031088000222" not in page and "Confidential reporter" in page, name
        detail = client_for(personas[name]).get(f"/api/records/reports/{report.pk}").json()
        assert detail["reporter"] is None and detail["reporter_label"] == "Confidential reporter", name
        listing = client_for(personas[name]).get("/records/reports/", headers=EN).content.decode()
        assert SECRET not in listing, name


def test_a_confidential_reporter_follows_the_handling_unit_when_a_transfer_is_accepted(personas):
    officer, investigator = personas["commune_officer"], personas["investigator"]
    report = _transfer_to_pc02(officer, _confidential(officer))
    # Awaiting acceptance: PC02 sees the report, not the reporter.
    assert client_for(investigator).get(f"/api/records/reports/{report.pk}").json()["reporter"] is None
    report = services.crime_report_accept(actor=investigator, report=report, version=report.version)
    assert (
        client_for(investigator).get(f"/api/records/reports/{report.pk}").json()["reporter"]["full_name"]
        == SECRET
    )
    # The commune police received it, still see the report (their commune), no longer the reporter.
    assert client_for(officer).get(f"/api/records/reports/{report.pk}").json()["reporter"] is None


def test_the_timeline_does_not_reveal_a_confidential_reporter(personas):
    officer = personas["commune_officer"]
    report = _confidential(officer)
    timeline = selectors.report_timeline(viewer=personas["commander"], report=report)
    text = str([(e.label, e.changes, e.comment) for e in timeline])
    assert SECRET not in text and "Reporter" not in text


def test_analysts_never_see_names_unless_granted(personas):
    report = receive(
        personas["commune_officer"], reporter=ReporterInput(full_name="Bùi Văn Khánh", phones=("0977000333",))
    )
    analyst = personas["analyst"]
    page = client_for(analyst).get(f"/records/reports/{report.pk}/", headers=EN).content.decode()
    assert "Bùi Văn Khánh" not in page and "Hidden: no access to personal data" in page
    assert client_for(analyst).get(f"/api/records/reports/{report.pk}").json()["reporter"] is None
    analyst.personal_data_granted = True
    analyst.save(update_fields=["personal_data_granted"])
    granted = client_for(analyst).get(f"/api/records/reports/{report.pk}").json()
    assert granted["reporter"]["full_name"] == "Bùi Văn Khánh" and granted["reporter"]["phones"] == [
        "0977000333"
    ]


def test_an_agency_reporter_is_shown_by_name(personas):
    report = receive(
        personas["commune_officer"], reporter_agency="Báo Hải Phòng", kind="tin_bao", channel="media"
    )
    data = client_for(personas["commander"]).get(f"/api/records/reports/{report.pk}").json()
    assert data["reporter_label"] == "Báo Hải Phòng" and data["reporter_agency"] == "Báo Hải Phòng"


def test_the_deadline_queues_count_only_the_viewers_units(personas):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    receive(officer, received_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=60))
    receive(other, commune_code=COMMUNE_B)
    board = selectors.deadline_board(viewer=officer)
    assert [(r.unit.code, r.overdue, r.soon, r.later) for r in board.rows] == [(f"CA{COMMUNE_A}", 1, 0, 0)]
    city = selectors.deadline_board(viewer=personas["commander"])
    assert {r.unit.code for r in city.rows} == {
        f"CA{COMMUNE_A}",
        f"CA{COMMUNE_B}",
    } and city.totals.running == 2

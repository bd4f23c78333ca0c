"""Dialogue records: tax codes checked, the recommendation's way to resolution (audited), the
indicator by unit and month, staff scoped by unit, and a business account that sees only its
own recommendations through its own sign-in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent
from anninh.business import selectors, services
from anninh.business.models import Recommendation, RecommendationStatus
from anninh.business.tests.factories import (
    link_account,
    make_business,
    make_recommendation,
    unit,
    valid_tax_code,
)
from anninh.testing.personas import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_a_mistyped_tax_code_is_refused_with_its_reason(personas):
    code = valid_tax_code()
    wrong = code[:9] + str((int(code[9]) + 1) % 10)
    with pytest.raises(services.DialogueError, match="check digit"):
        make_business(personas["commander"], tax_code=wrong)


def test_a_tax_code_is_stored_normalised_and_only_once(personas):
    code = valid_tax_code()
    business = make_business(personas["commander"], tax_code=f"{code[:5]} {code[5:]}-001")
    assert business.tax_code == f"{code}-001"
    with pytest.raises(services.DialogueError, match="already recorded"):
        make_business(personas["commander"], tax_code=f"{code}001", name="Another")


def test_only_organisers_record_businesses(personas):
    with pytest.raises(PermissionDenied):
        make_business(personas["commune_officer"])


def test_a_recommendation_goes_from_assignment_to_answer_to_resolution_and_each_step_is_audited(personas):
    commander, officer = personas["commander"], personas["commune_officer"]
    rec = make_recommendation(commander, business=make_business(commander))
    assert rec.status == RecommendationStatus.ASSIGNED and rec.assigned_unit.code == "CA11311"
    assert rec.due_on >= timezone.localdate() + dt.timedelta(days=30)
    services.recommendation_answer(actor=officer, recommendation=rec, answer="Đã bố trí tuần tra 17h-18h.")
    rec = services.recommendation_resolve(
        actor=commander, recommendation=rec, resolution="Doanh nghiệp đồng ý."
    )
    assert rec.status == RecommendationStatus.RESOLVED and rec.resolved_on == timezone.localdate()
    steps = list(
        AuditEvent.objects.unrestricted()
        .filter(object_type="business.recommendation", object_id=str(rec.pk), action=AuditAction.UPDATE)
        .order_by("id")
        .values_list("extra__step", flat=True)
    )
    assert steps == ["assign", "answer", "resolve"]


def test_another_unit_cannot_answer_and_the_refusal_is_audited(personas):
    commander = personas["commander"]
    rec = make_recommendation(commander, business=make_business(commander))
    with pytest.raises(PermissionDenied):
        services.recommendation_answer(
            actor=personas["other_commune_officer"], recommendation=rec, answer="x"
        )
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.DENIED, actor_id=personas["other_commune_officer"].pk)
        .exists()
    )


def test_sending_an_answer_back_keeps_the_clock_running(personas):
    commander = personas["commander"]
    rec = make_recommendation(commander, business=make_business(commander))
    due = rec.due_on
    services.recommendation_answer(actor=personas["commune_officer"], recommendation=rec, answer="Đã xử lý.")
    rec = services.recommendation_reopen(actor=commander, recommendation=rec, reason="Vẫn còn tụ tập.")
    assert rec.status == RecommendationStatus.ASSIGNED and rec.due_on == due and rec.reopened == 1


def test_the_indicator_counts_resolved_on_time_by_unit_and_month(personas, time_machine):
    commander = personas["commander"]
    time_machine.move_to(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC))
    late = make_recommendation(commander, business=make_business(commander), due_on=dt.date(2026, 10, 20))
    on_time = make_recommendation(
        commander, business=make_business(commander, name="Công ty B"), due_on=dt.date(2026, 10, 20)
    )
    open_late = make_recommendation(
        commander, business=make_business(commander, name="Công ty C"), due_on=dt.date(2026, 10, 25)
    )
    for rec, day in ((on_time, dt.date(2026, 10, 15)), (late, dt.date(2026, 10, 22))):
        time_machine.move_to(dt.datetime(day.year, day.month, day.day, 3, tzinfo=dt.UTC))
        services.recommendation_answer(
            actor=personas["commune_officer"], recommendation=rec, answer="Đã xử lý."
        )
        services.recommendation_resolve(actor=commander, recommendation=rec, resolution="")
    time_machine.move_to(dt.datetime(2026, 11, 3, 3, tzinfo=dt.UTC))
    assert open_late.status == RecommendationStatus.ASSIGNED
    rows = selectors.resolved_on_time_by_unit_month(
        first_month=dt.date(2026, 10, 1), last_month=dt.date(2026, 10, 1)
    )
    assert [(r.unit_id, r.month, r.on_time, r.late, r.overdue_open) for r in rows] == [
        (unit("CA11311").pk, dt.date(2026, 10, 1), 1, 1, 1)
    ]
    # The same recommendations feed the requests' service indicators (issue #10 item 5).
    from anninh.requests import indicators

    assert "dialogue" in indicators.sources()
    triples = sorted(selectors.recommendations_on_time(dt.date(2026, 10, 1), dt.date(2026, 10, 31), None))
    a = unit("CA11311").pk
    assert triples == [
        (a, dt.date(2026, 10, 20), False),
        (a, dt.date(2026, 10, 20), True),
        (a, dt.date(2026, 10, 25), False),
    ]
    assert list(selectors.recommendations_on_time(dt.date(2026, 10, 1), dt.date(2026, 10, 31), {a + 1})) == []
    table = indicators.indicators_for(
        viewer=commander, first=dt.date(2026, 10, 1), last=dt.date(2026, 10, 31)
    )
    assert table.total.extra["dialogue"] == (1, 3)
    # A staff reader outside the unit's reach counts nothing of it.
    assert (
        selectors.resolved_on_time_by_unit_month(
            viewer=personas["other_commune_officer"],
            first_month=dt.date(2026, 10, 1),
            last_month=dt.date(2026, 10, 1),
        )
        == []
    )


def test_staff_see_recommendations_of_their_commune_or_assigned_to_their_unit_only(personas):
    commander = personas["commander"]
    in_a = make_recommendation(commander, business=make_business(commander))
    to_pc02 = make_recommendation(
        commander, business=make_business(commander, name="Công ty D"), unit_code="PC02"
    )
    assert set(Recommendation.objects.restrict(personas["investigator"])) == {to_pc02}
    assert set(Recommendation.objects.restrict(personas["commune_officer"])) == {in_a, to_pc02}
    assert set(Recommendation.objects.restrict(personas["other_commune_officer"])) == set()
    assert set(Recommendation.objects.restrict(personas["analyst"])) == set()


@pytest.fixture
def two_businesses(personas):
    commander = personas["commander"]
    ours = make_business(commander, name="Công ty Của Mình")
    theirs = make_business(commander, name="Công ty Người Khác", commune_code="11329")
    own_rec = make_recommendation(commander, business=ours, text="Kiến nghị của chúng tôi về cổng số 2.")
    other_rec = make_recommendation(
        commander, business=theirs, unit_code="CA11329", text="Kiến nghị bí mật của doanh nghiệp khác."
    )
    link_account(personas["business"], ours)
    client = Client()
    response = client.post("/business/login/", {"username": "p_business", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/business/"
    return client, own_rec, other_rec


def test_a_business_sees_its_own_recommendations_and_never_another_business(two_businesses, personas):
    client, own_rec, other_rec = two_businesses
    page = client.get("/business/").content.decode()
    assert own_rec.text in page
    assert other_rec.text not in page and "Người Khác" not in page
    assert client.get(f"/business/recommendations/{own_rec.pk}/").status_code == 200
    assert client.get(f"/business/recommendations/{other_rec.pk}/").status_code == 404
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.DENIED, actor_id=personas["business"].pk, object_id=str(other_rec.pk))
        .exists()
    )


def test_business_pages_show_no_staff_navigation(two_businesses):
    client, own_rec, _other = two_businesses
    for url in ("/business/", f"/business/recommendations/{own_rec.pk}/"):
        page = client.get(url).content.decode()
        assert "/records/" not in page and "/compstat/" not in page and "/business/manage/" not in page
    # The staff home sends a business account to its portal.
    assert client.get("/")["Location"] == "/business/"
    assert client.get("/business/manage/").status_code == 403


def test_a_staff_account_cannot_sign_in_at_the_business_entry(personas):
    client = Client()
    response = client.post("/business/login/", {"username": "p_commander", "password": PASSWORD})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.LOGIN_FAILED, actor_username="p_commander")
        .exists()
    )


def test_a_business_account_without_a_business_cannot_sign_in(personas):
    make_user("lonely", "business")
    response = Client().post("/business/login/", {"username": "lonely", "password": PASSWORD})
    assert response.status_code == 200


def test_an_administrator_creates_a_business_account_linked_to_its_business(personas):
    business = make_business(personas["commander"])
    link = services.business_account_create(
        actor=personas["administrator"],
        business=business,
        username="cty-abc",
        full_name="Cty ABC",
        password="Dialogue-Passw0rd!",
    )
    assert link.user.roles == {"business"} and link.user.unit_id is None
    assert selectors.business_of(link.user) == business
    with pytest.raises(PermissionDenied):
        services.business_account_create(
            actor=personas["commander"],
            business=business,
            username="cty-x",
            full_name="X",
            password="Dialogue-Passw0rd!",
        )


def test_the_demo_seeds_recommendations_in_every_state(personas):
    from anninh.business.demo import business_demo_seed

    make_user("press", "public_relations", unit_code="PV01")
    assert business_demo_seed() == {"businesses": 4, "recommendations": 5}
    states = set(Recommendation.objects.unrestricted().values_list("status", flat=True))
    assert states == {"received", "assigned", "answered", "resolved"}
    assert business_demo_seed() == {"businesses": 0}  # once only

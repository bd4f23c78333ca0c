"""The approval workflow of a patrol plan (issue #13 item 2): analysts draft, commanders approve or
send back with a reason, the drafter changes and resubmits; a plan whose cells expect almost no
crime is made only when the drafter confirms it. Every transition is audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from anninh.audit.models import AuditEvent
from anninh.hotspots.models import ForecastCell
from anninh.patrols import services
from anninh.patrols.models import PatrolPlan, PlanStatus
from anninh.patrols.tests.test_patrols import DAY, forecast  # noqa: F401
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A

pytestmark = pytest.mark.django_db


def draft(personas, who="analyst", **kwargs):
    return services.plan_create(
        actor=personas[who], day=DAY, shift="night", commune=COMMUNE_A, teams=2, cells_per_team=1, **kwargs
    )


def transitions(plan) -> list[str]:
    events = AuditEvent.objects.filter(object_id=str(plan.pk), action="update").order_by("pk")
    return [(e.extra or {}).get("transition", "revise") for e in events]


def test_the_analyst_drafts_and_submits_the_commander_approves(personas, forecast):  # noqa: F811
    plan = draft(personas)
    assert plan.status == PlanStatus.DRAFT and plan.created_by == personas["analyst"]

    plan = services.plan_submit(actor=personas["analyst"], plan=plan)
    assert plan.status == PlanStatus.SUBMITTED and plan.submitted_by == personas["analyst"]
    # The analyst reads the forecast and drafts, but only a commander decides.
    with pytest.raises(PermissionDenied):
        services.plan_decide(actor=personas["analyst"], plan=plan, approve=True)
    with pytest.raises(PermissionDenied):
        services.plan_decide(actor=personas["commune_officer"], plan=plan, approve=True)
    assert PatrolPlan.objects.unrestricted().get(pk=plan.pk).status == PlanStatus.SUBMITTED

    plan = services.plan_decide(actor=personas["commander"], plan=plan, approve=True)
    assert plan.status == PlanStatus.APPROVED and plan.decided_by == personas["commander"]
    assert transitions(plan) == ["submit", "approve"]

    # An approved plan is final: not changed, not submitted again, not decided again.
    with pytest.raises(services.PatrolError):
        services.plan_revise(actor=personas["analyst"], plan=plan, teams=1, cells_per_team=1)
    with pytest.raises(services.PatrolError):
        services.plan_submit(actor=personas["analyst"], plan=plan)
    with pytest.raises(services.PatrolError):
        services.plan_decide(actor=personas["commander"], plan=plan, approve=False, note="late")
    assert PatrolPlan.objects.unrestricted().get(pk=plan.pk).status == PlanStatus.APPROVED


def test_sent_back_with_a_reason_changed_and_submitted_again(personas, forecast):  # noqa: F811
    plan = services.plan_submit(actor=personas["analyst"], plan=draft(personas))
    with pytest.raises(services.PatrolError):  # a plan is never sent back without saying why
        services.plan_decide(actor=personas["commander"], plan=plan, approve=False, note="  ")
    plan = services.plan_decide(
        actor=personas["commander"], plan=plan, approve=False, note="Hai tổ là không đủ"
    )
    assert (plan.status, plan.decision_note) == (PlanStatus.REJECTED, "Hai tổ là không đủ")
    with pytest.raises(services.PatrolError):  # only a submitted plan is decided
        services.plan_decide(actor=personas["commander"], plan=plan, approve=True)

    plan = services.plan_revise(actor=personas["analyst"], plan=plan, teams=3, cells_per_team=1)
    assert plan.status == PlanStatus.DRAFT and plan.assignments.count() == 3
    assert plan.expected_covered == pytest.approx(2.1 + 1.4 + 0.7)
    plan = services.plan_submit(actor=personas["analyst"], plan=plan)
    plan = services.plan_decide(actor=personas["commander"], plan=plan, approve=True)
    assert plan.status == PlanStatus.APPROVED
    assert transitions(plan) == ["submit", "reject", "revise", "submit", "approve"]


def test_who_may_draft_and_submit(personas, forecast):  # noqa: F811
    for persona in ("investigator", "fire_rescue", "public_relations", "auditor", "other_commune_officer"):
        with pytest.raises(PermissionDenied):
            draft(personas, who=persona)
    assert not PatrolPlan.objects.unrestricted().exists()
    plan = draft(personas, who="commune_officer")  # the commune's own officer drafts there
    with pytest.raises(PermissionDenied):
        services.plan_submit(actor=personas["other_commune_officer"], plan=plan)
    assert services.plan_submit(actor=personas["analyst"], plan=plan).status == PlanStatus.SUBMITTED


def test_a_plan_that_covers_almost_nothing_needs_the_drafters_confirmation(personas, forecast):  # noqa: F811
    ForecastCell.objects.filter(forecast=forecast, commune_id=COMMUNE_A).update(expected=0.01)
    with pytest.raises(services.LowRiskPlan) as refused:
        draft(personas)
    assert refused.value.expected == pytest.approx(0.02)
    assert not PatrolPlan.objects.unrestricted().exists()
    assert not AuditEvent.objects.filter(action="create", object_type__contains="patrol").exists()

    plan = draft(personas, confirm_low=True)
    assert plan.low_risk_confirmed and plan.expected_covered == pytest.approx(0.02)
    # Changing it keeps needing the confirmation, and a refused change leaves the plan as it was.
    with pytest.raises(services.LowRiskPlan):
        services.plan_revise(actor=personas["analyst"], plan=plan, teams=1, cells_per_team=1)
    assert PatrolPlan.objects.unrestricted().get(pk=plan.pk).teams == 2
    plan = services.plan_revise(
        actor=personas["analyst"], plan=plan, teams=1, cells_per_team=1, confirm_low=True
    )
    assert plan.teams == 1 and plan.low_risk_confirmed


def test_a_plan_seeded_without_a_person_shows_and_prints(personas, forecast):  # noqa: F811
    """The demo seeder drafts, submits and approves with no user: the plan page and the printed
    plan name nobody instead of failing (found by the sweep: a 500 on every seeded plan)."""
    plan = services.plan_create(
        actor=None, day=DAY, shift="night", commune=COMMUNE_A, teams=1, cells_per_team=1
    )
    plan = services.plan_decide(actor=None, plan=services.plan_submit(actor=None, plan=plan), approve=True)
    client = client_for(personas["commander"])
    for url in (f"/patrols/{plan.pk}/", f"/patrols/{plan.pk}/print/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "—" in response.content.decode()

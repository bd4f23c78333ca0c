"""The demo investigation: one synthetic forex-and-crypto fraud case from the network
library's generator (a few hundred victims across the provinces), labelled synthetic, imported
through the same import as real files and analysed. Its team is the demo investigator; the
demo commander has read access by name. Safe to run again: an existing demo case is kept."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils import timezone

from anninh.investigations.analysis import analysis_run
from anninh.investigations.models import AccessGrant, Investigation, TeamMember
from anninh.investigations.resolution import resolution_run
from anninh.investigations.services import investigation_create
from anninh.investigations.synthetic import synthetic_import
from anninh.org.models import Unit

DEMO_CODE = "PC03-2025-MAU"
DEMO_VICTIMS = 300
DEMO_SEED = 2025


def investigations_demo_seed(progress=None, *, victims: int = DEMO_VICTIMS) -> dict[str, object]:
    if Investigation.objects.unrestricted().filter(code=DEMO_CODE).exists():
        return {"skipped": True}
    User = get_user_model()
    investigator = User.objects.filter(username="investigator").first()
    unit = (
        investigator.unit
        if investigator and investigator.unit_id
        else Unit.objects.filter(code="PC03").first()
    )
    if unit is None:
        unit = Unit.objects.order_by("id").first()
    inv = investigation_create(
        actor=None,
        code=DEMO_CODE,
        title="Lừa đảo qua sàn ngoại hối và tiền mã hóa (dữ liệu mẫu)",
        kind="chuyen_an",
        unit=unit,
        opened_on=timezone.localdate(),
        description="Vụ án mẫu tổng hợp (synthetic): mọi người, tài khoản và số tiền đều là giả.",
        is_synthetic=True,
    )
    if investigator is not None:
        TeamMember.objects.get_or_create(investigation=inv, user=investigator, defaults={"is_lead": True})
    commander = User.objects.filter(username="commander").first()
    if commander is not None:
        AccessGrant.objects.get_or_create(
            investigation=inv, user=commander, defaults={"reason": "Chỉ huy theo dõi chuyên án (dữ liệu mẫu)"}
        )
    case, results = synthetic_import(
        actor=None, investigation=inv, victims=victims, seed=DEMO_SEED, noise="medium"
    )
    problems = sum(r.problem_count for r in results)
    counts = resolution_run(actor=None, investigation=inv)
    run = analysis_run(actor=None, investigation=inv)
    return {
        "investigation": inv.code,
        "rows": sum(r.rows for r in results),
        "problems": problems,
        "victims": run.results.get("totals", {}).get("distinct_victims", {}).get("value", 0),
        "true_victims": case.truth.distinct_victims,
        **counts,
    }

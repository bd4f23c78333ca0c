"""An investigator starts from one victim's complaint and finds the ring behind it: search the
victim, open the account they reported, see its role and ring, open its link chart."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_an_investigator_finds_a_ring_from_one_victims_complaint(page):
    from anninh.investigations import services
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.models import Entity, Link
    from anninh.investigations.synthetic import synthetic_import

    me = make_user("dieutra", Role.INVESTIGATOR, unit_code="PC02", full_name="Lê Quang Minh")
    inv = services.investigation_create(
        actor=me,
        code="PC02-T1",
        title="Sàn giả",
        kind="chuyen_an",
        unit=me.unit,
        opened_on=timezone.localdate(),
    )
    synthetic_import(actor=me, investigation=inv, victims=15, seed=5)
    analysis_run(actor=me, investigation=inv)
    reported = (
        Link.objects.unrestricted()
        .filter(investigation=inv, kind="reported_by", source__ring__isnull=False, source__role="collector")
        .first()
    )
    victim = Entity.objects.unrestricted().get(pk=reported.target_id)
    account = reported.source

    login(page, "dieutra", PASSWORD)
    page.goto(page.base_url + "/investigations/")
    page.get_by_role("link", name="PC02-T1").click()
    page.locator("nav.tabs a").nth(1).click()  # search
    page.fill("input[name=q]", victim.label)
    page.keyboard.press("Enter")
    page.locator("[data-testid=search-results] a", has_text=victim.label).first.click()
    expect(page).to_have_url(re.compile(rf"/entities/{victim.pk}/$"))
    page.locator("[data-testid=entity-links] a", has_text=account.label).first.click()
    # The role in words, in the page's language ("Tài khoản thu gom" / "Collector").
    from django.utils import translation

    from anninh.investigations.templatetags.investigation_tags import ROLE_LABELS

    labels = []
    for language in ("vi", "en"):
        with translation.override(language):
            labels.append(re.escape(str(ROLE_LABELS[account.role])))
    expect(page.locator("[data-testid=role]")).to_have_text(re.compile(rf"^\s*({'|'.join(labels)})\s*$"))
    expect(page.locator("dd", has_text=str(account.ring)).first).to_be_visible()
    page.locator("a[href*='/chart/?entity=']").first.click()
    expect(page.locator("[data-testid=link-chart] canvas").first).to_be_visible()
    assert page.js_errors == [], page.js_errors

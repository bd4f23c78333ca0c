"""Campaign pages and reports: the owner launches a campaign and sets targets; the dashboard
opens the records; the reports render in both languages, as HTML and PDF."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from anninh.campaigns import services
from anninh.campaigns.models import Campaign, CampaignTarget, Indicator
from anninh.records.tests.test_incidents_factories import fast_passwords, record, unit_id  # noqa: F401
from anninh.testing.personas import COMMUNE_A


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def campaign(personas):
    record(personas["commune_officer"])
    today = timezone.localdate()
    return services.campaign_create(
        actor=personas["commander"],
        name="Cao điểm tấn công, trấn áp tội phạm",
        first=today - dt.timedelta(days=5),
        last=today + dt.timedelta(days=25),
        unit_ids=[unit_id(f"CA{COMMUNE_A}")],
    )


def test_the_commander_launches_a_campaign_and_is_sent_to_its_targets(personas):
    response = _client(personas["commander"]).post(
        "/campaigns/new/",
        {"name": "Cao điểm Tết", "first": "01/01/2026", "last": "28/02/2026", "offence_groups": ["property"]},
    )
    campaign = Campaign.objects.unrestricted().get(name="Cao điểm Tết")
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/targets/"
    assert campaign.owner == personas["commander"] and campaign.offence_groups == ["property"]


def test_only_the_owner_sets_targets_and_the_dashboard_shows_their_progress(personas, campaign):
    unit = unit_id(f"CA{COMMUNE_A}")
    response = _client(personas["commander"]).post(
        f"/campaigns/{campaign.pk}/targets/", {f"t_{unit}_crimes": "4", "t_all_arrests": "10"}
    )
    assert response.status_code == 302
    targets = {(t.unit_id, t.indicator): t.value for t in CampaignTarget.objects.unrestricted()}
    assert targets == {(unit, Indicator.CRIMES): 4, (None, Indicator.ARRESTS): 10}
    other = make_commander()
    assert _client(other).get(f"/campaigns/{campaign.pk}/targets/").status_code == 403
    page = _client(personas["commune_officer"]).get(f"/campaigns/{campaign.pk}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'aria-valuenow="25"' in body  # 1 crime of a ceiling of 4
    assert "/records/incidents/?" in body and f"unit={unit}" in body


def make_commander():
    from anninh.testing.personas import make_user

    return make_user("second_commander", "commander", unit_code="CAHP")


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("kind", ["daily", "weekly", "final"])
def test_the_reports_render_in_both_languages(personas, campaign, language, kind):
    response = _client(personas["commander"]).get(
        f"/campaigns/{campaign.pk}/report/?kind={kind}&lang={language}"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    # "Unit", a column of the per-unit table, is in the catalog already.
    assert ("Đơn vị</th>" in body) if language == "vi" else ("Unit</th>" in body)
    assert "/records/incidents/?" in body


def test_the_final_report_is_a_pdf(personas, campaign):
    response = _client(personas["commander"]).get(f"/campaigns/{campaign.pk}/report.pdf?kind=final&lang=en")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_api_gives_the_figures_with_the_records_they_open(personas, campaign):
    response = _client(personas["commune_officer"]).get(f"/api/campaigns/{campaign.pk}")
    assert response.status_code == 200
    data = response.json()
    crimes = next(c for c in data["totals"] if c["indicator"] == "crimes")
    assert crimes["value"] == 1 and crimes["url"].startswith("/records/incidents/?")


def test_the_dashboard_page_costs_the_same_queries_for_one_unit_or_many(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    record(personas["commune_officer"])
    today = timezone.localdate()
    counts = []
    for codes in ([f"CA{COMMUNE_A}"], [f"CA{COMMUNE_A}", "CA11329", "PC02", "PC03", "PC04", "PA05"]):
        campaign = services.campaign_create(
            actor=personas["commander"],
            name=f"Đợt {len(codes)}",
            first=today - dt.timedelta(days=5),
            last=today + dt.timedelta(days=5),
            unit_ids=[unit_id(c) for c in codes],
        )
        services.campaign_targets_set(
            actor=personas["commander"],
            campaign=campaign,
            targets={(unit_id(c), Indicator.ARRESTS): 3 for c in codes},
        )
        client = _client(personas["commander"])
        client.get(f"/campaigns/{campaign.pk}/")  # the session and the user, loaded once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/campaigns/{campaign.pk}/").status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts

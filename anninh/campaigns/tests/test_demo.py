"""The demo's peak campaign of 1 August 2025, on synthetic records: its units and targets
per unit from each unit's own baseline; the synthetic arrests and wanted notices it counts."""

from __future__ import annotations

import datetime as dt

from anninh.campaigns.demo import FIRST, LAST, NAME, campaigns_demo_seed
from anninh.campaigns.indicators import Scope, compute_all
from anninh.campaigns.models import Campaign, CampaignTarget, Indicator
from anninh.enforcement.demo import enforcement_demo_seed
from anninh.enforcement.models import Arrest, WantedPerson
from anninh.lib.dates import HCM_TZ
from anninh.org.models import Unit
from anninh.records.demo import records_generate
from anninh.testing.personas import make_user

END = dt.datetime(2026, 2, 15, 12, tzinfo=HCM_TZ)


def test_the_demo_campaign_has_targets_per_unit_from_their_own_baseline(db):
    commander = make_user("commander", "commander", unit_code="CAHP")
    records_generate(incidents=1200, seed=8, end=END)
    made = enforcement_demo_seed()
    assert made["arrests"] > 0 and made["wanted"] > 0
    assert Arrest.objects.unrestricted().filter(is_synthetic=True).count() == made["arrests"]
    assert enforcement_demo_seed()["skipped"]

    result = campaigns_demo_seed()
    campaign = Campaign.objects.unrestricted().get(name=NAME)
    assert (campaign.first, campaign.last, campaign.owner) == (FIRST, LAST, commander)
    assert campaign.units.count() == 16
    assert result["targets"] == CampaignTarget.objects.unrestricted().filter(campaign=campaign).count() > 0
    values = compute_all(commander, Scope.of(campaign))
    for target in CampaignTarget.objects.unrestricted().filter(campaign=campaign, unit__isnull=False):
        base = values[target.indicator].by_unit_last_year[target.unit_id]
        factor = 0.95 if target.indicator == Indicator.CRIMES else 1.10
        assert target.value == round(base * factor)
    assert not Unit.objects.filter(commune__isnull=False, officers__isnull=True).exists()
    assert WantedPerson.objects.unrestricted().filter(status="caught", caught_by__isnull=True).count() == 0
    assert campaigns_demo_seed()["skipped"]

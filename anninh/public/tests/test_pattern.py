"""A warning drafted from a pattern the records show: the communes where frauds rose
significantly, with the numbers filled in in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anninh.lib.dates import HCM_TZ
from anninh.public import pattern, services
from anninh.public.models import ScamWarning, WarningStatus
from anninh.records.services import incidents as incident_services
from anninh.records.tests.test_incidents_factories import record
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B


def _fraud(actor, commune: str, days_ago: int, article: str = "174"):
    when = timezone.now() - dt.timedelta(days=days_ago)
    return record(
        actor,
        commune=commune,
        occurred_from=when,
        reported_at=when + dt.timedelta(hours=1),
        offences=(incident_services.OffenceData(article),),
        narrative="Bị lừa chuyển khoản qua điện thoại.",
    )


@pytest.fixture
def rise(personas):
    """Commune A: 9 frauds in the last four weeks, none in the four before; commune B: 2 and 2
    (no rise); a theft in A that is not a fraud."""
    for day in range(2, 20, 2):
        _fraud(personas["commune_officer"], COMMUNE_A, day, "174" if day % 4 else "290")
    for day in (3, 10, 33, 40):
        _fraud(personas["other_commune_officer"], COMMUNE_B, day)
    record(personas["commune_officer"], occurred_from=timezone.now() - dt.timedelta(days=5))
    return timezone.localdate()


def test_the_pattern_finds_the_commune_where_frauds_rose(personas, rise):
    found = pattern.fraud_pattern(viewer=personas["commander"], today=rise)
    assert [(r.code, r.previous, r.current) for r in found.rising] == [(COMMUNE_A, 0, 9)]
    assert found.last == rise - dt.timedelta(days=1)
    assert found.first == rise - dt.timedelta(days=28)


def test_the_pattern_counts_only_what_the_viewer_may_see(personas, rise):
    found = pattern.fraud_pattern(viewer=personas["other_commune_officer"], today=rise)
    assert found.rising == []


def test_the_draft_carries_the_numbers_in_both_languages(personas, rise):
    commander = personas["commander"]
    found = pattern.fraud_pattern(viewer=commander, today=rise)
    warning = pattern.warning_draft_from_pattern(actor=commander, pattern=found, trick="police_impersonation")
    assert warning.status == WarningStatus.DRAFT
    assert list(warning.communes.values_list("code", flat=True)) == [COMMUNE_A]
    first = found.first.strftime("%d/%m/%Y")
    assert "Phường Hồng Bàng (0 → 9)" in warning.recognise_vi
    assert "Phường Hồng Bàng (0 → 9)" in warning.recognise_en
    assert first in warning.recognise_vi and first in warning.recognise_en
    assert "recorded 9 frauds" in warning.recognise_en
    assert "Hồng Bàng" in warning.title_en
    # The drafter does not approve it: the press officer finishes it and sends it on.
    services.warning_submit(actor=personas["public_relations"], warning=warning)
    with pytest.raises(services.WarningError):
        services.warning_approve(actor=commander, warning=warning)


def test_no_rise_drafts_nothing(personas):
    found = pattern.fraud_pattern(viewer=personas["commander"])
    with pytest.raises(services.WarningError):
        pattern.warning_draft_from_pattern(actor=personas["commander"], pattern=found)
    assert not ScamWarning.objects.unrestricted().exists()


def test_press_officers_do_not_read_crime_counts(personas, rise):
    found = pattern.fraud_pattern(viewer=personas["commander"], today=rise)
    with pytest.raises(PermissionDenied):
        pattern.warning_draft_from_pattern(actor=personas["public_relations"], pattern=found)
    assert client_for(personas["public_relations"]).get("/warnings/manage/pattern/").status_code == 403


def test_the_pattern_page_drafts_the_warning(personas, rise):
    client = client_for(personas["commander"])
    page = client.get("/warnings/manage/pattern/", headers={"Accept-Language": "en"}).content.decode()
    assert "Phường Hồng Bàng" in page
    response = client.post("/warnings/manage/pattern/", {"trick": "fake_bank_sms"})
    assert response.status_code == 302
    warning = ScamWarning.objects.unrestricted().get()
    assert warning.trick == "fake_bank_sms"
    assert warning.valid_from.astimezone(HCM_TZ).time() == dt.time(0, 0)

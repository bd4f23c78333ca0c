"""Issue #13 item 10: the intake of a crime report takes the amount lost (a scam's transfer),
and a commune officer finds their own commune already filled in."""

from __future__ import annotations

import pytest

from anninh.records.models import CrimeReport
from anninh.records.services import reports as services
from anninh.records.tests.test_reports_helpers import COMMUNE_A, fast_passwords, receive  # noqa: F401
from anninh.records.tests.test_reports_views import EN, intake_data
from anninh.testing.matrix import client_for


def test_the_amount_lost_typed_the_vietnamese_way_is_stored_on_the_report(personas):
    client = client_for(personas["commune_officer"])
    response = client.post("/records/reports/new/", intake_data(losses_vnd="45.000.000 đ"))
    assert response.status_code == 302
    report = CrimeReport.objects.unrestricted().get()
    assert report.losses_vnd == 45_000_000
    page = client.get(response["Location"], headers={"Accept-Language": "vi"}).content.decode()
    assert "45.000.000" in page


def test_no_amount_means_no_loss_and_a_bad_amount_is_refused_next_to_its_field(personas):
    client = client_for(personas["commune_officer"])
    client.post("/records/reports/new/", intake_data())
    assert CrimeReport.objects.unrestricted().get().losses_vnd == 0
    response = client.post("/records/reports/new/", intake_data(losses_vnd="mười triệu"), headers=EN)
    assert response.status_code == 422
    assert (
        'id="id_losses_vnd"' in response.content.decode()
        and 'aria-invalid="true"' in response.content.decode()
    )
    assert CrimeReport.objects.unrestricted().count() == 1


def test_the_service_refuses_a_negative_or_impossible_amount(personas):
    for value in (-1, 10**16):
        with pytest.raises(services.RecordError):
            receive(personas["commune_officer"], losses_vnd=value)


def test_a_commune_officer_finds_their_commune_filled_in(personas):
    page = client_for(personas["commune_officer"]).get("/records/reports/new/", headers=EN).content.decode()
    assert f'value="{COMMUNE_A} · Hồng Bàng' in page or f'value="{COMMUNE_A} · Phường Hồng Bàng' in page


def test_the_commune_officer_home_page_offers_to_receive_a_crime_report(personas):
    page = client_for(personas["commune_officer"]).get("/", headers=EN).content.decode()
    assert 'href="/records/reports/new/"' in page
    analyst = client_for(personas["analyst"]).get("/", headers=EN).content.decode()
    assert 'href="/records/reports/new/"' not in analyst

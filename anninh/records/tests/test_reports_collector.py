"""Issue #11 item 4: the account a victim paid into (a scam's collector account), taken at the
intake of a crime report (form and API), normalised to one key, validated, and shown on the
report masked for viewers without personal data."""

from __future__ import annotations

import json

import pytest

from anninh.records.models import CrimeReport
from anninh.records.services.collector import collector_key, collector_view
from anninh.records.tests.test_reports_api import receive_body
from anninh.records.tests.test_reports_helpers import fast_passwords, receive  # noqa: F401
from anninh.records.tests.test_reports_views import EN, intake_data
from anninh.records.versioning import RecordError
from anninh.testing.matrix import client_for

JSON = "application/json"


# The key ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bank", "number"),
    [
        ("VCB", "0123 456 789"),
        ("Vietcombank", "0123456789"),
        ("Ngân hàng TMCP Ngoại thương Việt Nam - CN Hải Phòng", "0123.456.789"),
        ("970436", "0123-456-789"),
        ("vietcombank", " 0123456789 "),
    ],
)
def test_one_account_written_many_ways_is_one_key(bank, number):
    assert collector_key(bank, number) == "VCB:0123456789"


def test_the_same_number_at_two_banks_is_two_accounts():
    assert collector_key("VCB", "0123456789") != collector_key("Techcombank", "0123456789")


def test_an_e_wallet_opened_on_a_phone_number_is_one_account_whatever_the_phone_form():
    keys = {
        collector_key(bank, number)
        for bank, number in (
            ("MoMo", "0912 345 678"),
            ("Ví MoMo", "+84 912 345 678"),
            ("momo", "0084912345678"),
            ("MOMO", "0912.345.678"),
        )
    }
    assert keys == {"MOMO:0912345678"}


def test_nothing_given_is_no_account():
    assert collector_key("", "") == ""
    assert collector_key("  ", " ") == ""


@pytest.mark.parametrize(
    ("bank", "number", "code", "field"),
    [
        ("", "0123456789", "collector.bank_required", "collector_bank"),
        ("VCB", "", "collector.bank_account.empty", "collector_number"),
        ("Ngân hàng Không Tồn Tại", "0123456789", "collector.bank.unknown", "collector_bank"),
        ("VCB", "0123abc789", "collector.bank_account.not_digits", "collector_number"),
        ("VCB", "12345", "collector.bank_account.length", "collector_number"),
    ],
)
def test_a_bad_account_is_refused_next_to_its_field(bank, number, code, field):
    with pytest.raises(RecordError) as exc:
        collector_key(bank, number)
    assert exc.value.code == code
    assert exc.value.field == field


def test_the_view_masks_the_number_without_personal_data():
    whole = collector_view("VCB:0123456789", personal=True)
    masked = collector_view("VCB:0123456789", personal=False)
    assert (whole.number, whole.key, whole.bank_name, whole.masked) == (
        "0123456789",
        "VCB:0123456789",
        "Vietcombank",
        False,
    )
    assert (masked.number, masked.key, masked.masked) == ("…789", "", True)
    assert collector_view("", personal=True) is None


# The service ---------------------------------------------------------------------------------------


def test_the_service_stores_the_normalised_key(personas):
    report = receive(
        personas["commune_officer"], collector_bank="Vietcombank", collector_number="0123 456 789"
    )
    report.refresh_from_db()
    assert report.collector_account == "VCB:0123456789"
    assert receive(personas["commune_officer"]).collector_account == ""


def test_the_service_saves_nothing_when_the_account_is_bad(personas):
    with pytest.raises(RecordError):
        receive(personas["commune_officer"], collector_bank="VCB", collector_number="12")
    assert CrimeReport.objects.unrestricted().count() == 0


# The form and the page -------------------------------------------------------------------------


def test_the_intake_form_takes_the_account_and_the_page_shows_it(personas):
    client = client_for(personas["commune_officer"])
    response = client.post(
        "/records/reports/new/",
        intake_data(collector_bank="VCB", collector_number="0123 456 789"),
    )
    assert response.status_code == 302
    report = CrimeReport.objects.unrestricted().get()
    assert report.collector_account == "VCB:0123456789"
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "Vietcombank · <code>0123456789</code>" in page


def test_the_analyst_without_personal_data_sees_the_account_masked(personas):
    report = receive(personas["commune_officer"], collector_bank="VCB", collector_number="0123456789")
    page = client_for(personas["analyst"]).get(f"/records/reports/{report.pk}/", headers=EN)
    assert page.status_code == 200
    body = page.content.decode()
    assert "0123456789" not in body
    assert "<code>…789</code>" in body


def test_a_bad_account_on_the_form_is_shown_next_to_its_field(personas):
    client = client_for(personas["commune_officer"])
    response = client.post(
        "/records/reports/new/", intake_data(collector_bank="VCB", collector_number="12"), headers=EN
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_collector_number"' in body and 'aria-invalid="true"' in body
    assert CrimeReport.objects.unrestricted().count() == 0


def test_the_intake_form_offers_the_banks(personas):
    page = client_for(personas["commune_officer"]).get("/records/reports/new/", headers=EN).content.decode()
    assert 'list="collector-banks"' in page and '<option value="MoMo">' in page


# The API ---------------------------------------------------------------------------------------


def test_the_api_takes_the_account_and_masks_it_for_the_analyst(personas):
    response = client_for(personas["commune_officer"]).post(
        "/api/records/reports",
        json.dumps(receive_body(collector_bank="Vietcombank", collector_number="0123 456 789")),
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert response.json()["collector_account"] == {
        "key": "VCB:0123456789",
        "bank": "VCB",
        "bank_name": "Vietcombank",
        "number": "0123456789",
        "masked": False,
        "wallet": False,
    }
    pk = response.json()["id"]
    seen = client_for(personas["analyst"]).get(f"/api/records/reports/{pk}").json()["collector_account"]
    assert seen["number"] == "…789" and seen["key"] == "" and seen["masked"] is True


def test_the_api_refuses_a_bad_account_with_its_location(personas):
    response = client_for(personas["commune_officer"]).post(
        "/api/records/reports",
        json.dumps(receive_body(collector_bank="", collector_number="0123456789")),
        content_type=JSON,
        headers=EN,
    )
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "collector_bank"]
    assert problem["type"] == "collector.bank_required"


def test_a_report_without_an_account_answers_null(personas):
    response = client_for(personas["commune_officer"]).post(
        "/api/records/reports", json.dumps(receive_body()), content_type=JSON
    )
    assert response.status_code == 201
    assert response.json()["collector_account"] is None

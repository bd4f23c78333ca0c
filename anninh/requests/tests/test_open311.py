"""A GeoReport v2 client written from the specification (wiki.open311.org/GeoReport_v2), run
against /open311/v2/ in both formats: it parses JSON and XML the way a client would (element
names, booleans as true/false, W3C datetimes, the error list), and the two formats must say
the same thing."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from lxml import etree as ET

from anninh.audit.models import AuditEvent
from anninh.records.tests.test_incidents_factories import point_in
from anninh.requests import services
from anninh.requests.models import Open311Client, ServiceRequest
from anninh.requests.tests.factories import submit
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$")
KEY = "test-api-key-0123456789"

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip


class SpecClient:
    """What a GeoReport v2 client does: GET/POST, then read JSON, or XML by element names."""

    def __init__(self, fmt: str, http: Client | None = None):
        self.fmt = fmt
        self.http = http or Client()

    def _read(self, response, list_tag: str | None, item_tag: str | None):
        if self.fmt == "json":
            assert response["Content-Type"].startswith("application/json")
            return response.json()
        assert response["Content-Type"].startswith("text/xml")
        root = ET.fromstring(response.content)
        if list_tag is None:
            return root
        assert root.tag == list_tag, root.tag
        return [{child.tag: child.text for child in item} for item in root.findall(item_tag)]

    def errors(self, response) -> list[dict]:
        data = self._read(response, "errors", "error")
        for error in data:
            assert set(error) == {"code", "description"}
            assert int(error["code"]) == response.status_code
        return data

    def services(self):
        response = self.http.get(f"{BASE}services.{self.fmt}")
        assert response.status_code == 200
        return self._read(response, "services", "service")

    def definition(self, code: str):
        response = self.http.get(f"{BASE}services/{code}.{self.fmt}")
        if response.status_code != 200:
            return response.status_code, self.errors(response)
        if self.fmt == "json":
            return 200, response.json()
        root = ET.fromstring(response.content)
        assert root.tag == "service_definition"
        attributes = []
        for attribute in root.find("attributes").findall("attribute"):
            item = {child.tag: child.text for child in attribute if child.tag != "values"}
            values = attribute.find("values")
            if values is not None:
                item["values"] = [{v.tag: v.text for v in value} for value in values.findall("value")]
            attributes.append(item)
        return 200, {"service_code": root.findtext("service_code"), "attributes": attributes}

    def post(self, **params):
        response = self.http.post(f"{BASE}requests.{self.fmt}", params)
        if response.status_code not in (200, 201):
            return response.status_code, self.errors(response)
        return response.status_code, self._read(response, "service_requests", "request")

    def requests(self, **params):
        response = self.http.get(f"{BASE}requests.{self.fmt}", params)
        if response.status_code != 200:
            return response.status_code, self.errors(response)
        return 200, self._read(response, "service_requests", "request")

    def request(self, request_id: str):
        response = self.http.get(f"{BASE}requests/{request_id}.{self.fmt}")
        if response.status_code != 200:
            return response.status_code, self.errors(response)
        return 200, self._read(response, "service_requests", "request")

    def token(self, token: str):
        response = self.http.get(f"{BASE}tokens/{token}.{self.fmt}")
        if response.status_code != 200:
            return response.status_code, self.errors(response)
        return 200, self._read(response, "service_requests", "request")


def _bool(value) -> bool:
    return value if isinstance(value, bool) else {"true": True, "false": False}[value]


@pytest.fixture
def api_key():
    Open311Client.objects.create(name="Cổng dịch vụ công", key_hash=hashlib.sha256(KEY.encode()).hexdigest())
    return KEY


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_list_has_the_specs_fields(fmt):
    listed = SpecClient(fmt).services()
    codes = [s["service_code"] for s in listed]
    assert {"tip-crime", "complaint", "recommendation"} <= set(codes)
    for service in listed:
        assert list(service) == SERVICE_FIELDS
        assert _bool(service["metadata"]) is True
        assert service["type"] in ("realtime", "batch", "blackbox")


def test_both_formats_list_the_same_services():
    as_json = SpecClient("json").services()
    as_xml = SpecClient("xml").services()
    assert [s["service_code"] for s in as_json] == [s["service_code"] for s in as_xml]
    assert [s["service_name"] for s in as_json] == [s["service_name"] for s in as_xml]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_service_definition_lists_its_attributes_with_values(fmt):
    status, definition = SpecClient(fmt).definition("tip-crime")
    assert status == 200 and definition["service_code"] == "tip-crime"
    by_code = {a["code"]: a for a in definition["attributes"]}
    anonymity = by_code["anonymity"]
    assert anonymity["datatype"] == "singlevaluelist" and _bool(anonymity["required"]) is False
    assert [v["key"] for v in anonymity["values"]] == ["public", "confidential", "anonymous"]
    for attribute in definition["attributes"]:
        assert {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        } <= set(attribute)
        assert attribute["datatype"] in (
            "string",
            "number",
            "datetime",
            "text",
            "singlevaluelist",
            "multivaluelist",
        )
    assert sorted(int(a["order"]) for a in definition["attributes"]) == [1, 2, 3]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_service_is_a_404_in_the_error_format(fmt):
    status, errors = SpecClient(fmt).definition("no-such-service")
    assert status == 404 and "no-such-service" in errors[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posting_without_an_api_key_is_refused_and_audited(fmt):
    status, errors = SpecClient(fmt).post(
        service_code="tip-crime", lat="20.86", long="106.68", description="x"
    )
    assert status == 403 and "api_key" in errors[0]["description"]
    assert not ServiceRequest.objects.unrestricted().exists()
    assert AuditEvent.objects.unrestricted().filter(action="denied", extra__reason="api_key").exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_post_returns_the_request_id_and_a_token_and_the_request_can_be_read_back(fmt, api_key):
    client = SpecClient(fmt)
    lat, lon = point_in("11311")
    status, created = client.post(
        api_key=api_key,
        service_code="recommendation",
        lat=str(lat),
        long=str(lon),
        description="Đề nghị lắp đèn chiếu sáng ở ngõ 12.",
        first_name="Văn A",
        last_name="Nguyễn",
        phone="0912345678",
        **{"attribute[organisation]": "Công ty TNHH Minh Anh"},
    )
    assert status == 201 and len(created) == 1
    request_id, token = created[0]["service_request_id"], created[0]["token"]
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", created[0]["service_notice"])
    stored = ServiceRequest.objects.unrestricted().get(public_id=request_id)
    assert stored.reporter_name == "Nguyễn Văn A" and stored.anonymity == "confidential"
    assert stored.organisation == "Công ty TNHH Minh Anh" and stored.unit.code == "CA11311"
    assert stored.source == "open311" and stored.api_client.name == "Cổng dịch vụ công"

    status, found = client.request(request_id)
    assert status == 200 and len(found) == 1
    item = found[0]
    assert list(item) == REQUEST_FIELDS
    assert item["status"] == "open" and item["service_code"] == "recommendation"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert W3C.match(item[field]), item[field]
    # The public never reads the sender's words, name or exact point.
    assert not item["description"] and "Nguyễn" not in str(item)
    assert item["address"] == stored.commune.name
    assert float(item["lat"]) == stored.commune.point_lat

    status, tokens = client.token(token)
    assert status == 200 and tokens == [{"service_request_id": request_id, "token": token}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_parameters_are_400_errors_one_per_problem(fmt, api_key):
    status, errors = SpecClient(fmt).post(api_key=api_key, description="x")
    assert status == 400
    descriptions = " ".join(e["description"] for e in errors)
    assert "service_code" in descriptions and "location" in descriptions
    status, errors = SpecClient(fmt).post(api_key=api_key, service_code="tip-crime", lat="abc", long="106")
    assert status == 400 and "lat" in errors[0]["description"]


def test_an_unknown_service_code_on_post_is_a_404(api_key):
    status, errors = SpecClient("json").post(api_key=api_key, service_code="nope", address_string="Lạch Tray")
    assert status == 404 and errors[0]["code"] == 404


def test_an_address_without_a_point_uses_the_commune_attribute(api_key):
    status, created = SpecClient("json").post(
        api_key=api_key,
        service_code="order-problem",
        address_string="Ngõ 5 Lạch Tray",
        description="Đua xe đêm khuya.",
        **{"attribute[commune]": "11329"},
    )
    assert status == 201
    stored = ServiceRequest.objects.unrestricted().get(public_id=created[0]["service_request_id"])
    assert stored.commune_id == "11329" and stored.unit.code == "CA11329" and stored.anonymity == "anonymous"


def test_a_bad_anonymity_value_is_a_400(api_key):
    status, errors = SpecClient("json").post(
        api_key=api_key,
        service_code="tip-crime",
        address_string="x",
        description="y",
        **{"attribute[anonymity]": "nobody"},
    )
    assert status == 400 and "anonymity" in errors[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_public_list_shows_listed_services_only_and_filters_by_status(fmt, personas):
    listed, _c = submit("order-problem")
    tip, _c = submit("tip-crime")
    client = SpecClient(fmt)
    status, found = client.requests()
    assert status == 200
    assert [r["service_request_id"] for r in found] == [listed.public_id]
    # By id, a tip is found (its reporter has the id).
    status, found = client.requests(service_request_id=f"{tip.public_id},{listed.public_id}")
    assert {r["service_request_id"] for r in found} == {tip.public_id, listed.public_id}
    services.request_answer(actor=personas["commune_officer"], request=listed, text="Đã xử lý, cảm ơn bạn.")
    status, found = client.requests(status="closed")
    assert [(r["service_request_id"], r["status"], r["status_notes"]) for r in found] == [
        (listed.public_id, "closed", "Đã xử lý, cảm ơn bạn.")
    ]
    status, found = client.requests(status="open")
    assert found == []


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_bad_dates_and_statuses_are_400_and_unknown_ids_404(fmt):
    client = SpecClient(fmt)
    assert client.requests(start_date="yesterday")[0] == 400
    assert client.requests(status="pending")[0] == 400
    assert client.request("HP-NOTHERE")[0] == 404
    assert client.token("abcdef")[0] == 404


def test_a_date_window_in_w3c_format_filters_the_list():
    listed, _c = submit("order-problem")
    status, found = SpecClient("json").requests(
        start_date="2000-01-01T00:00:00+07:00", end_date="2000-12-31T00:00:00+07:00"
    )
    assert status == 200 and found == []
    status, found = SpecClient("json").requests(start_date="2000-01-01T00:00:00+07:00")
    assert [r["service_request_id"] for r in found] == [listed.public_id]


def test_another_jurisdiction_is_a_404():
    response = Client().get(f"{BASE}services.json", {"jurisdiction_id": "example.org"})
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_a_keyless_post_is_accepted_when_the_key_is_optional_and_then_rate_limited(settings):
    settings.ANNINH_OPEN311_KEY_REQUIRED = False
    settings.ANNINH_REQUESTS_PER_HOUR = 1
    client = SpecClient("json", client_for(None))
    params = dict(
        service_code="tip-crime",
        address_string="Chợ Sắt",
        description="Trộm xe",
        **{"attribute[commune]": "11311"},
    )
    assert client.post(**params)[0] == 201
    status, errors = client.post(**params)
    assert status == 429 and errors[0]["code"] == 429


def test_a_listing_does_not_load_the_communes_boundaries():
    """The public listing renders a commune's name and point, never its boundary (a large
    GeoJSON per row, the bulk of a listing's time under load)."""
    from anninh.requests.selectors import open311_requests

    sent, _code = submit()
    found = open311_requests(ids=[sent.public_id])
    assert found and found[0].commune is not None
    assert "boundary" in found[0].commune.get_deferred_fields()


def test_a_listing_loads_only_the_public_fields_of_a_request():
    """GET requests.json builds up to a thousand rows: it loads the fields it renders and
    nothing of the sender or the description (less work per row, and nothing private in
    memory to leak by a later change of the template)."""
    from anninh.requests.selectors import open311_requests

    sent, _code = submit()
    row = open311_requests(ids=[sent.public_id])[0]
    deferred = row.get_deferred_fields()
    assert {"description", "reporter_name", "reporter_phone", "reporter_email", "attributes"} <= deferred
    assert "description_vi" in row.service.get_deferred_fields()
    assert "population" in row.commune.get_deferred_fields()

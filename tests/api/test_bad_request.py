"""A request Django rejects before any view (here a Host outside ALLOWED_HOSTS) still gets the
API's documented JSON error on /api/ paths, and the usual page elsewhere."""

import pytest


@pytest.mark.django_db
def test_an_api_request_with_a_foreign_host_gets_a_json_400(client):
    response = client.post(
        "/api/records/reports/1/extend", {}, content_type="application/json", HTTP_HOST="s"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}


@pytest.mark.django_db
def test_a_page_request_with_a_foreign_host_gets_the_html_400(client):
    response = client.get("/records/", HTTP_HOST="s")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")

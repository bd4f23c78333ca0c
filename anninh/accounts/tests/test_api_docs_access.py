"""The API's schema and docs are for signed-in users and token holders only."""

from __future__ import annotations

import pytest
from django.test import Client

from anninh.accounts import services
from anninh.testing.matrix import UNAUTHORIZED, check_matrix
from anninh.testing.openapi import openapi_schema
from anninh.testing.personas import NAMES, make_user

DOCS = ["/api/openapi.json", "/api/docs"]


@pytest.mark.parametrize("url", DOCS)
def test_anonymous_visitors_get_a_401_json_for_the_schema_and_the_docs(db, url):
    response = Client().get(url)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("url", DOCS)
def test_every_signed_in_user_reads_the_schema_and_the_docs(personas, url):
    check_matrix(url, {**dict.fromkeys(NAMES, 200), "anonymous": UNAUTHORIZED}, personas=personas)


def test_a_token_opens_the_schema_and_a_spoilt_one_does_not(db):
    user = make_user("integration", "analyst")
    _row, raw = services.api_token_create(actor=user, user=user, name="docs", days=5)
    assert Client().get("/api/openapi.json", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    spoilt = {"Authorization": f"Bearer {raw[:-2]}zz"}
    assert Client().get("/api/openapi.json", headers=spoilt).status_code == 401


def test_the_in_process_schema_is_the_one_served(db):
    user = make_user("reader", "analyst")
    client = Client()
    client.force_login(user)
    assert client.get("/api/openapi.json").json() == openapi_schema()

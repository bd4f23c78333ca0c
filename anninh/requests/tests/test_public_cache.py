"""Open311 GET answers come from the shared page cache (anninh.pagecache); a new request, a
staff step or the reporter's own action shows at once, and the reporter's tracking page is
never cached."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anninh.requests import services
from anninh.requests.tests.factories import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("shared_cache")]


def _get(client: Client, path: str):
    response = client.get(path)
    assert response.status_code == 200, path
    return json.loads(response.content)


def test_a_new_request_and_its_answer_show_at_once(personas, django_capture_on_commit_callbacks):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        first, _code = submit("order-problem")
    assert [r["service_request_id"] for r in _get(client, "/open311/v2/requests.json")] == [first.public_id]
    one = f"/open311/v2/requests/{first.public_id}.json"
    assert _get(client, one)[0]["status"] == "open"
    with django_capture_on_commit_callbacks(execute=True):
        second, _code = submit("order-problem")
    listed = [r["service_request_id"] for r in _get(client, "/open311/v2/requests.json")]
    assert listed == [second.public_id, first.public_id]
    with django_capture_on_commit_callbacks(execute=True):
        services.request_answer(actor=personas["commune_officer"], request=first, text="Đã xử lý xong.")
    answered = _get(client, one)[0]
    assert (answered["status"], answered["status_notes"]) == ("closed", "Đã xử lý xong.")


def test_the_reporters_reopening_shows_at_once(personas, django_capture_on_commit_callbacks):
    sent, _code = submit("order-problem")
    sent = services.request_answer(actor=personas["commune_officer"], request=sent, text="Xong.")
    client = Client()
    one = f"/open311/v2/requests/{sent.public_id}.json"
    assert _get(client, one)[0]["status"] == "closed"
    with django_capture_on_commit_callbacks(execute=True):
        services.request_reopen(request=sent, reason="Vẫn chưa giải quyết.")
    assert _get(client, one)[0]["status"] == "open"


def test_a_post_is_never_answered_from_the_cache(settings):
    """POST requests.json files a request each time (the GET answer at the same URL is cached)."""
    settings.ANNINH_OPEN311_KEY_REQUIRED = False
    client = Client()
    client.get("/open311/v2/requests.json")
    form = {"service_code": "order-problem", "lat": "20.8561", "long": "106.6822", "description": "Ồn ào."}
    first = client.post("/open311/v2/requests.json", form, REMOTE_ADDR="198.51.100.1")
    second = client.post("/open311/v2/requests.json", form, REMOTE_ADDR="198.51.100.2")
    assert first.status_code == second.status_code == 201
    ids = {json.loads(r.content)[0]["service_request_id"] for r in (first, second)}
    assert len(ids) == 2


def test_a_token_answer_is_not_kept_in_the_shared_cache():
    """A token is what an Open311 client holds for a request it filed: not a public page."""
    sent, _code = submit("order-problem")
    response = Client().get(f"/open311/v2/tokens/{sent.token}.json")
    assert response.status_code == 200 and "ETag" not in response


def test_an_unlisted_request_leaves_the_cached_listing_alone(
    django_capture_on_commit_callbacks, django_assert_num_queries
):
    """A tip or a complaint is never in the public listing: filing one does not make the
    listing render again (under load every submission did)."""
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        listed, _code = submit("order-problem")
    _get(client, "/open311/v2/requests.json")
    with django_capture_on_commit_callbacks(execute=True):
        submit("tip-crime")
    with django_assert_num_queries(0):
        assert [r["service_request_id"] for r in _get(client, "/open311/v2/requests.json")] == [
            listed.public_id
        ]

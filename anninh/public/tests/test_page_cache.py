"""The shared cache of the public pages (anninh.pagecache): a change is visible at once, a
signed-in user never gets the anonymous page, languages are kept apart, a hit costs at most
one query, and nothing carrying a form token or a reporter's own request is kept."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from anninh import pagecache
from anninh.public import services
from anninh.public.tests.factories import publish_warning, warning_input
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.usefixtures("shared_cache")

VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}


def _publish(personas, **overrides):
    return publish_warning(drafter=personas["public_relations"], approver=personas["commander"], **overrides)


def _pages(warning) -> list[str]:
    return [
        "/",
        "/warnings/",
        "/warnings/?trick=police_impersonation",
        f"/warnings/{warning.pk}/",
        f"/warnings/{warning.pk}.cap",
        "/warnings/feed.atom",
        "/transparency/",
    ]


def test_a_cached_hit_makes_at_most_one_query(personas, django_assert_max_num_queries):
    warning = _publish(personas)
    client = Client()
    for path in [*_pages(warning), "/open311/v2/services.json", "/open311/v2/requests.json"]:
        first = client.get(path, headers=VI)
        assert first.status_code == 200, path
        assert "public" in first["Cache-Control"] and first["ETag"], path
        with django_assert_max_num_queries(1):
            again = client.get(path, headers=VI)
        assert again.content == first.content, path


def test_a_published_warning_is_on_every_cached_page_at_once(
    personas, client, django_capture_on_commit_callbacks
):
    older = _publish(personas, title_vi="Cảnh báo cũ")
    before = {path: client.get(path, headers=VI).content.decode() for path in _pages(older)}
    assert all("Cuộc gọi lừa mới" not in page for page in before.values())
    with django_capture_on_commit_callbacks(execute=True):
        _publish(personas, title_vi="Cuộc gọi lừa mới")
    for path in [
        "/",
        "/warnings/",
        "/warnings/?trick=police_impersonation",
        "/warnings/feed.atom",
        "/transparency/",
    ]:
        assert "Cuộc gọi lừa mới" in client.get(path, headers=VI).content.decode(), path


def test_an_edit_and_a_withdrawal_are_visible_at_once(personas, client, django_capture_on_commit_callbacks):
    warning = _publish(personas, title_vi="Tiêu đề ban đầu")
    page, cap = f"/warnings/{warning.pk}/", f"/warnings/{warning.pk}.cap"
    assert "Tiêu đề ban đầu" in client.get(page, headers=VI).content.decode()
    assert "<msgType>Alert</msgType>" in client.get(cap).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.warning_update(
            actor=personas["commander"], warning=warning, data=warning_input(title_vi="Tiêu đề đã sửa")
        )
    assert "Tiêu đề đã sửa" in client.get(page, headers=VI).content.decode()
    assert "<msgType>Update</msgType>" in client.get(cap).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.warning_cancel(actor=personas["commander"], warning=warning, reason="Nhầm lẫn")
    assert "Nhầm lẫn" in client.get(page, headers=VI).content.decode()
    assert "<msgType>Cancel</msgType>" in client.get(cap).content.decode()
    assert "Tiêu đề đã sửa" not in client.get("/warnings/", headers=VI).content.decode()


def test_without_the_bump_the_page_would_be_stale(personas, client, django_capture_on_commit_callbacks):
    """The control for the tests above: the cache does keep pages (a change whose commit
    never comes, as inside this test's transaction, is not seen until the bump)."""
    _publish(personas, title_vi="Cảnh báo cũ")
    client.get("/warnings/", headers=VI)
    _publish(personas, title_vi="Chưa thấy vì chưa bump")
    assert "Chưa thấy vì chưa bump" not in client.get("/warnings/", headers=VI).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        pagecache.bump(pagecache.WARNINGS)
    assert "Chưa thấy vì chưa bump" in client.get("/warnings/", headers=VI).content.decode()


@pytest.mark.parametrize("role", ["analyst", "public_relations", "business"])
def test_a_signed_in_user_never_gets_or_leaves_a_cached_page(role, personas):
    _publish(personas, title_vi="Cảnh báo công khai")
    anonymous = Client()
    assert "Cảnh báo công khai" in anonymous.get("/", headers=VI).content.decode()  # now cached
    signed_in = client_for(personas[role])
    home = signed_in.get("/", headers=VI)
    assert "Cảnh báo công khai" not in home.content.decode()
    listing = signed_in.get("/warnings/", headers=EN)
    assert listing.status_code == 200
    assert "private" in listing["Cache-Control"] and "public" not in listing["Cache-Control"]
    # What the signed-in user was shown was not stored: the next visitor's page is rendered.
    with CaptureQueriesContext(connection) as rendered:
        first = Client().get("/warnings/", headers=EN)
    assert len(rendered) > 1 and "public" in first["Cache-Control"]


def test_languages_are_cached_apart(personas):
    _publish(personas, title_vi="Cảnh báo tiếng Việt", title_en="Warning in English")
    client = Client()
    for path in ["/", "/warnings/", "/warnings/feed.atom"]:
        vi = client.get(path, headers=VI).content.decode()
        en = client.get(path, headers=EN).content.decode()
        assert "Cảnh báo tiếng Việt" in vi and "Warning in English" not in vi, path
        assert "Warning in English" in en and "Cảnh báo tiếng Việt" not in en, path
    chosen = Client()
    chosen.post("/language/public/", {"language": "en", "next": "/warnings/"})
    assert "Warning in English" in chosen.get("/warnings/", headers=VI).content.decode()


def test_public_pages_carry_no_form_token_and_the_switch_needs_none(personas):
    _publish(personas)
    client = Client(enforce_csrf_checks=True)
    page = client.get("/warnings/", headers=VI)
    assert b"csrfmiddlewaretoken" not in page.content and "csrftoken" not in page.cookies
    switched = client.post("/language/public/", {"language": "en", "next": "/warnings/"})
    assert switched.status_code == 302 and switched.cookies["django_language"].value == "en"


def test_a_page_that_uses_the_csrf_token_is_never_stored():
    calls = []

    @pagecache.public_page(pagecache.WARNINGS)
    def with_form(request):
        calls.append(1)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{get_token(request)}">')

    for _ in range(2):
        request = RequestFactory().get("/form/")
        request.user = AnonymousUser()
        response = with_form(request)
        assert "ETag" not in response
    assert len(calls) == 2


def test_the_request_form_and_the_tracking_page_are_never_cached(db):
    client = Client()
    first, second = client.get("/requests/"), client.get("/requests/")
    # Each visitor gets a fresh challenge: the form is rendered every time.
    assert first.context["challenge"]["token"] != second.context["challenge"]["token"]
    for response in (first, client.get("/requests/track/"), client.post("/requests/track/", {"code": "X"})):
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        assert "ETag" not in response


def test_an_unchanged_page_answers_304_to_its_etag(personas):
    _publish(personas)
    client = Client()
    first = client.get("/warnings/feed.atom")
    again = client.get("/warnings/feed.atom", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again["ETag"] == first["ETag"]
    assert "Accept-Language" in first["Vary"] and "Cookie" in first["Vary"]
    assert first["Last-Modified"]

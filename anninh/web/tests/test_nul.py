"""NUL characters never reach the database (PostgreSQL refuses them: a search would 500)."""

from __future__ import annotations

from anninh.testing.matrix import client_for


def test_a_nul_in_a_search_is_dropped_not_a_server_error(personas):
    response = client_for(personas["commander"]).get("/api/geo/communes", {"q": "hong\x00 bang"})
    assert response.status_code == 200
    assert [c["code"] for c in response.json()] == ["11311"]


def test_a_nul_in_a_page_filter_is_dropped(personas):
    client = client_for(personas["auditor"])
    client.get("/audit/", {"q": "first visit"})  # leaves an event whose actor is the auditor
    response = client.get(
        "/audit/", {"q": personas["auditor"].username[:3] + "\x00" + personas["auditor"].username[3:]}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.is_valid() and form.cleaned_data["q"] == personas["auditor"].username  # dropped, not refused
    assert f"q={personas['auditor'].username}" in response.context["query"]
    events = response.context["page"].events
    assert events and all(personas["auditor"].username in str(e.values()) for e in events)
    assert "\x00" not in response.content.decode()


def test_the_api_parser_drops_nul_from_json_bodies():
    from anninh.api import _strip_nul

    assert _strip_nul({"a\x00": ["b\x00c", {"d": "e\x00"}], "n": 1}) == {"a": ["bc", {"d": "e"}], "n": 1}

"""Public warning pages (anonymous, light, searchable by trick and commune, printable and
shareable), the public home at /, and the staff pages a press officer and a commander use."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anninh.accounts.roles import Role
from anninh.public import services
from anninh.public.models import CapMessage, ScamWarning, WarningStatus
from anninh.public.tests.factories import publish_warning, warning_input
from anninh.testing.matrix import client_for


def _publish(personas, **overrides):
    return publish_warning(drafter=personas["public_relations"], approver=personas["commander"], **overrides)


def _list(client, **params):
    response = client.get("/warnings/", params, headers={"Accept-Language": "vi"})
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitors_see_warnings_in_force_and_not_drafts(personas, client):
    _publish(personas, title_vi="Cảnh báo đang có hiệu lực")
    services.warning_create(
        actor=personas["public_relations"], data=warning_input(title_vi="Bản nháp bí mật")
    )
    past = timezone.now() - dt.timedelta(days=60)
    _publish(
        personas, title_vi="Cảnh báo đã hết hạn", valid_from=past, valid_until=past + dt.timedelta(days=10)
    )
    page = _list(client)
    assert "Cảnh báo đang có hiệu lực" in page
    assert "Bản nháp bí mật" not in page
    assert "Cảnh báo đã hết hạn" not in page
    assert "Cảnh báo đã hết hạn" in _list(client, past="1")
    assert "Bản nháp bí mật" not in _list(client, past="1")


def test_the_list_is_searched_by_trick(personas, client):
    _publish(personas, title_vi="Giả danh công an gọi điện", trick="police_impersonation")
    _publish(personas, title_vi="Ứng dụng vay tiền giả", trick="loan_app")
    page = _list(client, trick="loan_app")
    assert "Ứng dụng vay tiền giả" in page and "Giả danh công an gọi điện" not in page


def test_the_list_by_commune_shows_its_own_and_the_city_wide_warnings(personas, client):
    _publish(personas, title_vi="Cảnh báo ở Hồng Bàng", commune_codes=["11311"])
    _publish(personas, title_vi="Cảnh báo ở Ngô Quyền", commune_codes=["11329"])
    _publish(personas, title_vi="Cảnh báo toàn thành phố", whole_city=True)
    page = _list(client, commune="11311")
    assert "Cảnh báo ở Hồng Bàng" in page
    assert "Cảnh báo toàn thành phố" in page
    assert "Cảnh báo ở Ngô Quyền" not in page


def test_words_are_found_without_diacritics(personas, client):
    _publish(personas, title_vi="Tin nhắn giả mạo ngân hàng", trick="fake_bank_sms")
    _publish(personas, title_vi="Việc làm online giả", trick="fake_job")
    page = _list(client, q="gia mao ngan hang")
    assert "Tin nhắn giả mạo ngân hàng" in page and "Việc làm online giả" not in page


def test_public_pages_carry_no_script(personas, client):
    warning = _publish(personas)
    for url in ("/", "/warnings/", f"/warnings/{warning.pk}/"):
        body = client.get(url).content.decode()
        assert "<script" not in body, url
        assert 'name="viewport"' in body, url


def test_the_warning_page_shows_both_languages_and_shares_well(personas, client):
    warning = _publish(personas)
    vi = client.get(f"/warnings/{warning.pk}/", headers={"Accept-Language": "vi"}).content.decode()
    en = client.get(f"/warnings/{warning.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert warning.title_vi in vi and warning.action_vi in vi
    assert warning.title_en in en and warning.action_en in en
    assert f'property="og:url" content="http://testserver/warnings/{warning.pk}/"' in vi
    assert 'href="tel:113"' in vi
    assert "Phường Hồng Bàng" in vi
    assert "@media print" in vi


def test_a_withdrawn_warning_says_so_with_the_reason(personas, client):
    warning = _publish(personas)
    services.warning_cancel(actor=personas["commander"], warning=warning, reason="Đối tượng đã bị bắt.")
    page = client.get(f"/warnings/{warning.pk}/", headers={"Accept-Language": "en"}).content.decode()
    assert "This warning was withdrawn" in page and "Đối tượng đã bị bắt." in page
    assert warning.title_vi not in _list(client)


def test_a_draft_page_does_not_exist_for_the_public(personas, client):
    draft = services.warning_create(actor=personas["public_relations"], data=warning_input())
    assert client.get(f"/warnings/{draft.pk}/").status_code == 404


def test_anonymous_visitors_get_the_public_home_and_staff_keep_theirs(personas, client):
    _publish(personas, title_vi="Cảnh báo trên trang chủ")
    public_home = client.get("/", headers={"Accept-Language": "vi"}).content.decode()
    assert "Cảnh báo trên trang chủ" in public_home
    assert "/accounts/login/" in public_home  # staff sign in from the footer
    staff_home = client_for(personas["analyst"]).get("/").content.decode()
    assert "Cảnh báo trên trang chủ" not in staff_home
    assert "/static/web/app.css" in staff_home


def test_a_press_officer_drafts_through_the_form_and_a_commander_publishes(personas):
    officer = client_for(personas["public_relations"])
    today = timezone.localdate()
    response = officer.post(
        "/warnings/manage/new/",
        {
            "trick": "fake_job",
            "severity": "Moderate",
            "title_vi": "Việc làm giả trên mạng",
            "recognise_vi": "Nhận việc thích video, phải nạp tiền để mở nhiệm vụ.",
            "action_vi": "Không nạp tiền; báo công an.",
            "title_en": "Fake online jobs",
            "recognise_en": "Like videos for pay, then pay a deposit to unlock tasks.",
            "action_en": "Do not pay; report to the police.",
            "hotline": "113",
            "communes": ["11311", "11329"],
            "valid_from": today.strftime("%d/%m/%Y"),
            "valid_until": (today + dt.timedelta(days=14)).strftime("%d/%m/%Y"),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    warning = ScamWarning.objects.unrestricted().get(title_vi="Việc làm giả trên mạng")
    assert warning.drafted_by == personas["public_relations"]
    # The validity runs to the end of the last day typed, in Vietnam.
    assert timezone.localtime(warning.valid_until).date() == today + dt.timedelta(days=15)
    assert officer.post(f"/warnings/manage/{warning.pk}/submit/").status_code == 302
    assert officer.post(f"/warnings/manage/{warning.pk}/approve/").status_code == 403
    commander = client_for(personas["commander"])
    assert commander.post(f"/warnings/manage/{warning.pk}/approve/").status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.PUBLISHED
    assert CapMessage.objects.filter(warning=warning, msg_type="Alert").exists()


def test_staff_lists_go_through_the_door_and_show_drafts(personas):
    services.warning_create(actor=personas["public_relations"], data=warning_input(title_vi="Nháp nội bộ"))
    assert "Nháp nội bộ" in client_for(personas["commander"]).get("/warnings/manage/").content.decode()
    assert ScamWarning.objects.restrict(personas["commune_officer"]).count() == 0
    assert ScamWarning.objects.restrict(None).count() == 0
    assert ScamWarning.objects.restrict(personas["public_relations"]).count() == 1


def test_the_navigation_offers_warnings_to_press_officers_and_commanders(personas):
    for name in ("public_relations", "commander"):
        assert 'href="/warnings/manage/"' in client_for(personas[name]).get("/").content.decode()
    assert personas["commune_officer"].roles.isdisjoint({Role.PUBLIC_RELATIONS, Role.COMMANDER})
    assert 'href="/warnings/manage/"' not in client_for(personas["commune_officer"]).get("/").content.decode()

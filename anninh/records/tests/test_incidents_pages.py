"""The incident pages: who may open each one (the permission matrix), the list with its
filters and a constant number of queries, the form with its inline rows, bad input shown
next to its field with nothing saved, and a stale save that keeps what the user typed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anninh.lib.dates import local_date
from anninh.records.models import Incident, IncidentLoss, ReviewStatus
from anninh.records.services.review import incident_review
from anninh.records.tests.test_incidents_factories import (  # noqa: F401
    POINT_AT_SEA,
    fast_passwords,
    point_in,
    record,
    supervisor_a_fixture,
    unit_id,
    update,
    world_fixture,
)
from anninh.testing.matrix import LOGIN, check_matrix, client_for
from anninh.testing.personas import COMMUNE_A

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true", "HX-Target": "incident-results"}
NOT_READERS = {"public_relations": 403, "auditor": 403, "administrator": 403, "no_role": 403}


def local_text(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def formset(prefix: str, rows: list[dict], initial: int = 0) -> dict[str, str]:
    out = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            out[f"{prefix}-{i}-{key}"] = value
    return out


def form_data(**overrides) -> dict[str, str]:
    """A complete POST of the incident form: a theft in commune A with a victim and a loss."""
    now = timezone.now()
    lat, lon = point_in(COMMUNE_A)
    offences = overrides.pop("offences", [{"article": "173", "clause": "", "is_main": "on"}])
    persons = overrides.pop(
        "persons",
        [
            {
                "role": "victim",
                "full_name": "Bùi Thị Lan",
                "cccd": "",
                "phone": "0912000111",
                "birth_year": "1990",
                "note": "",
            }
        ],
    )
    losses = overrides.pop("losses", [{"description": "Điện thoại iPhone", "value_vnd": "12.500.000"}])
    times = overrides.pop("response_times", [])
    data = {
        "kind": "crime",
        "occurred_from": local_text(now - dt.timedelta(hours=5)),
        "occurred_to": "",
        "reported_at": local_text(now - dt.timedelta(hours=4)),
        "responsible_unit": str(unit_id(f"CA{COMMUNE_A}")),
        "lat": f"{lat:.6f}",
        "lon": f"{lon:.6f}",
        "commune": "",
        "address": "25 Lạch Tray",
        "premises": "street",
        "narrative": "Bị giật điện thoại khi đang đi bộ.",
        "crime_reports": "",
        "version": "",
        **formset("offences", offences),
        **formset("persons", persons),
        **formset("losses", losses),
        **formset("rt", times),
        "fr-cause": "",
        "fr-dead": "0",
        "fr-injured": "0",
        "fr-rescued": "0",
        "fr-victims_found": "0",
        "fr-damage_vnd": "",
        "fr-forces": "0",
        "fr-vehicles": "0",
        "fr-river": "",
        "fr-vessel": "",
    }
    data.update(overrides)
    return data


# The permission matrix -----------------------------------------------------------------------


def test_list_page_matrix(personas):
    check_matrix(
        "/records/incidents/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "fire_rescue": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_detail_page_matrix_for_a_commune_theft(personas, world):
    check_matrix(
        f"/records/incidents/{world['theft_a'].pk}/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "analyst": 200,
            "investigator": 404,
            "commune_officer": 200,
            "other_commune_officer": 404,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_detail_page_matrix_for_a_fire(personas, world):
    check_matrix(
        f"/records/incidents/{world['fire_b'].pk}/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "analyst": 200,
            "investigator": 404,
            "commune_officer": 404,
            "other_commune_officer": 200,
            "fire_rescue": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_create_page_matrix(personas):
    check_matrix(
        "/records/incidents/new/",
        {
            "anonymous": LOGIN,
            "commander": 403,
            "analyst": 403,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "fire_rescue": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_edit_page_matrix(personas, world):
    check_matrix(
        f"/records/incidents/{world['theft_a'].pk}/edit/",
        {
            "anonymous": LOGIN,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 200,
            "other_commune_officer": 404,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_an_officer_who_sees_an_incident_of_another_unit_may_not_edit_it(personas, world):
    # The commune B officer sees the PC02 robbery in their commune, but acts for CA11329 only.
    check_matrix(
        f"/records/incidents/{world['robbery_b'].pk}/edit/",
        {
            "anonymous": LOGIN,
            "commander": 403,
            "analyst": 403,
            "investigator": 200,
            "commune_officer": 404,
            "other_commune_officer": 403,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_review_action_matrix(personas, world):
    incident = world["theft_a"]
    check_matrix(
        f"/records/incidents/{incident.pk}/review/",
        {
            "anonymous": LOGIN,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 302,
            "other_commune_officer": 404,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
        method="post",
        data={"action": "submit", "version": str(incident.version)},
    )
    assert Incident.objects.get(pk=incident.pk).review_status == ReviewStatus.SUBMITTED


def test_the_review_page_refuses_an_officer_who_is_not_a_supervisor(personas, world):
    incident = incident_review(
        actor=personas["commune_officer"], incident=world["theft_a"], action="submit", version=1
    )
    response = client_for(personas["commune_officer"]).post(
        f"/records/incidents/{incident.pk}/review/", {"action": "approve", "version": str(incident.version)}
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=incident.pk).review_status == ReviewStatus.SUBMITTED


def test_the_supervisor_approves_from_the_page(personas, world, supervisor_a):
    incident = incident_review(
        actor=personas["commune_officer"], incident=world["theft_a"], action="submit", version=1
    )
    client = client_for(supervisor_a)
    html = client.get(f"/records/incidents/{incident.pk}/").content.decode()
    assert 'value="approve"' in html and 'value="return"' in html
    response = client.post(
        f"/records/incidents/{incident.pk}/review/", {"action": "approve", "version": str(incident.version)}
    )
    assert response.status_code == 302
    assert Incident.objects.get(pk=incident.pk).review_status == ReviewStatus.APPROVED


# The list --------------------------------------------------------------------------------------


def test_the_list_filters_by_kind_with_htmx_and_returns_only_the_results(personas, world):
    client = client_for(personas["commander"])
    html = client.get("/records/incidents/?kind=fire_rescue", headers=HTMX).content.decode()
    assert world["fire_b"].number in html and world["theft_a"].number not in html
    assert "<form" not in html  # the partial, not the page


def test_the_list_filters_by_dates_typed_day_first(personas, world):
    client = client_for(personas["commander"])
    today = local_date(world["theft_a"].occurred_from).strftime("%d/%m/%Y")  # 3 hours ago, local
    html = client.get(f"/records/incidents/?date_from={today}&date_to={today}", headers=HTMX).content.decode()
    assert world["theft_a"].number in html
    html = client.get(
        "/records/incidents/?date_from=01/01/2020&date_to=31/01/2020", headers=HTMX
    ).content.decode()
    assert world["theft_a"].number not in html
    assert "No incident matches these filters." in html


def test_a_date_typed_wrongly_is_explained_next_to_the_filter(personas, world):
    html = client_for(personas["commander"]).get("/records/incidents/?date_from=2020/31/01").content.decode()
    assert "Enter the date as dd/mm/yyyy" in html


def test_the_list_filters_by_article_commune_unit_group_and_review(personas, world):
    client = client_for(personas["commander"])

    def shown(query: str) -> set[str]:
        html = client.get(f"/records/incidents/?{query}", headers=HTMX).content.decode()
        return {name for name, incident in world.items() if incident.number in html}

    assert shown("article=168") == {"robbery_b"}
    assert shown(f"commune={COMMUNE_A}") == {"theft_a"}
    assert shown(f"unit={unit_id('PC07')}") == {"fire_b"}
    assert shown("offence_group=property") == {"theft_a", "theft_b", "robbery_b"}
    assert shown("review_status=approved") == set()
    assert shown("q=kho+hang") == {"fire_b"}


def test_an_empty_list_says_what_to_do(personas):
    html = client_for(personas["commune_officer"]).get("/records/incidents/").content.decode()
    assert "No incident yet." in html and "Record an incident" in html


def test_the_list_page_costs_the_same_number_of_queries_for_3_or_30_incidents(
    personas, django_assert_max_num_queries
):
    officer = personas["commune_officer"]
    for _ in range(3):
        record(officer)
    client = client_for(officer)
    client.get("/records/incidents/")  # warm the session and caches
    with django_assert_max_num_queries(25) as small:
        client.get("/records/incidents/")
    for _ in range(27):
        record(officer)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get("/records/incidents/")
    assert response.content.decode().count('data-href="/records/incidents/') == 30
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_list_is_paginated(personas):
    officer = personas["commune_officer"]
    for _ in range(3):
        record(officer)
    from anninh.records.selectors import incidents as selectors

    page = selectors.incident_page(viewer=officer, filters=selectors.IncidentFilters(), page=2, per_page=2)
    assert page.number == 2 and len(page.object_list) == 1


# The form --------------------------------------------------------------------------------------


def test_an_officer_records_an_incident_with_its_inline_rows(personas):
    client = client_for(personas["commune_officer"])
    response = client.post("/records/incidents/new/", form_data())
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get()
    assert response["Location"] == f"/records/incidents/{incident.pk}/"
    assert incident.commune_id == COMMUNE_A and incident.losses_vnd == 12_500_000
    assert incident.person_links.get().person.full_name == "Bùi Thị Lan"
    assert incident.offence_links.get().offence.article == "173"


def test_empty_extra_rows_are_ignored(personas):
    client = client_for(personas["commune_officer"])
    data = form_data(
        offences=[{"article": "173", "is_main": "on"}, {"article": "", "clause": ""}],
        persons=[{"role": "victim", "full_name": ""}],
        losses=[{"description": "", "value_vnd": ""}],
    )
    assert client.post("/records/incidents/new/", data).status_code == 302
    incident = Incident.objects.get()
    assert incident.person_links.count() == 0 and incident.losses_vnd == 0


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"losses": [{"description": "Tiền mặt", "value_vnd": "12,5"}]}, "whole numbers"),
        ({"losses": [{"description": "Tiền mặt", "value_vnd": "-500.000"}]}, "cannot be negative"),
        ({"offences": [{"article": "999"}]}, "There is no article 999"),
        ({"lat": f"{POINT_AT_SEA[0]}", "lon": f"{POINT_AT_SEA[1]}"}, "outside Hai Phong"),
        ({"occurred_from": "05/11/2099 10:00"}, "in the future"),
        ({"occurred_from": "31/02/2026 10:00"}, "Enter the date and time as dd/mm/yyyy hh:mm"),
    ],
)
def test_bad_input_is_explained_and_nothing_is_saved(personas, overrides, message):
    response = client_for(personas["commune_officer"]).post("/records/incidents/new/", form_data(**overrides))
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert "Nothing was saved" in html
    assert "Bùi Thị Lan" in html  # what was typed is kept
    assert not Incident.objects.exists() and not IncidentLoss.objects.exists()


def test_an_occurrence_after_the_report_is_explained(personas):
    now = timezone.now()
    data = form_data(
        occurred_from=local_text(now - dt.timedelta(hours=1)),
        reported_at=local_text(now - dt.timedelta(hours=2)),
    )
    response = client_for(personas["commune_officer"]).post("/records/incidents/new/", data)
    assert response.status_code == 422
    assert "It cannot have happened after it was reported." in response.content.decode()


def test_a_window_ending_before_it_starts_is_explained(personas):
    now = timezone.now()
    data = form_data(
        occurred_from=local_text(now - dt.timedelta(hours=5)),
        occurred_to=local_text(now - dt.timedelta(hours=6)),
    )
    response = client_for(personas["commune_officer"]).post("/records/incidents/new/", data)
    assert "The end of the time window is before its start." in response.content.decode()


def test_a_fire_and_rescue_officer_records_response_times_from_the_form(personas):
    now = timezone.now()
    t0 = now - dt.timedelta(hours=3)
    data = form_data(
        kind="rescue_drowning",
        responsible_unit=str(unit_id("PC07")),
        offences=[],
        persons=[],
        losses=[],
        occurred_from=local_text(t0),
        reported_at=local_text(t0 + dt.timedelta(minutes=2)),
        response_times=[
            {
                "unit": "PC07",
                "alerted_at": local_text(t0 + dt.timedelta(minutes=3)),
                "dispatched_at": local_text(t0 + dt.timedelta(minutes=4)),
                "arrived_at": local_text(t0 + dt.timedelta(minutes=20)),
            }
        ],
        **{"fr-river": "cam", "fr-vessel": "Đò ngang", "fr-rescued": "2", "fr-damage_vnd": "5.000.000"},
    )
    response = client_for(personas["fire_rescue"]).post("/records/incidents/new/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.fire_rescue.river == "cam" and incident.fire_rescue.rescued == 2
    assert incident.fire_rescue.damage_vnd == 5_000_000
    assert incident.response_times.get().arrived_at is not None


def test_response_times_out_of_order_are_explained_on_their_row(personas):
    t0 = timezone.now() - dt.timedelta(hours=3)
    data = form_data(
        kind="fire",
        responsible_unit=str(unit_id("PC07")),
        offences=[],
        persons=[],
        losses=[],
        occurred_from=local_text(t0),
        reported_at=local_text(t0 + dt.timedelta(minutes=2)),
        response_times=[
            {
                "unit": "PC07",
                "alerted_at": local_text(t0 + dt.timedelta(minutes=30)),
                "dispatched_at": local_text(t0 + dt.timedelta(minutes=10)),
            }
        ],
    )
    response = client_for(personas["fire_rescue"]).post("/records/incidents/new/", data)
    assert response.status_code == 422
    assert "Each time must be at or after the one before it" in response.content.decode()
    assert not Incident.objects.exists()


def test_the_edit_form_shows_the_record_and_saves_changes(personas):
    officer = personas["commune_officer"]
    incident = record(officer)
    client = client_for(officer)
    html = client.get(f"/records/incidents/{incident.pk}/edit/").content.decode()
    assert "12 Hoàng Văn Thụ" in html and "18.000.000" in html
    assert f'name="version" value="{incident.version}"' in html
    data = form_data(
        version=str(incident.version),
        address="30 Lê Lợi",
        losses=[{"description": "Xe máy Honda Wave", "value_vnd": "18.000.000"}],
        persons=[],
    )
    response = client.post(f"/records/incidents/{incident.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    incident.refresh_from_db()
    assert incident.address == "30 Lê Lợi" and incident.version == 2


def test_a_stale_save_keeps_what_the_user_typed_and_says_why(personas):
    officer = personas["commune_officer"]
    incident = record(officer)
    update(officer, incident, address="Sửa bởi người khác")  # someone saves first: version 2
    data = form_data(version="1", address="Địa chỉ tôi vừa gõ", narrative="Lời khai tôi vừa gõ")
    response = client_for(officer).post(f"/records/incidents/{incident.pk}/edit/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "someone else changed this incident" in html
    assert "Địa chỉ tôi vừa gõ" in html and "Lời khai tôi vừa gõ" in html and "12.500.000" in html
    assert 'name="version" value="2"' in html  # saving again is a deliberate overwrite
    assert Incident.objects.get(pk=incident.pk).address == "Sửa bởi người khác"


def test_an_approved_incident_needs_a_reason_on_the_form(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    incident = incident_review(actor=officer, incident=incident, action="submit", version=incident.version)
    incident = incident_review(
        actor=supervisor_a, incident=incident, action="approve", version=incident.version
    )
    client = client_for(officer)
    response = client.post(
        f"/records/incidents/{incident.pk}/edit/", form_data(version=str(incident.version), persons=[])
    )
    assert response.status_code == 422
    assert "give the reason for the change" in response.content.decode()
    response = client.post(
        f"/records/incidents/{incident.pk}/edit/",
        form_data(version=str(incident.version), persons=[], reason="Bổ sung tài sản"),
    )
    assert response.status_code == 302
    html = client.get(f"/records/incidents/{incident.pk}/").content.decode()
    assert "Amended after approval" in html and "Bổ sung tài sản" in html


def test_the_detail_page_shows_the_record_and_its_timeline(personas, world):
    html = (
        client_for(personas["investigator"])
        .get(f"/records/incidents/{world['robbery_b'].pk}/")
        .content.decode()
    )
    # The page is in English here: thousands separated by commas (dots in Vietnamese).
    for text in ("Nguyễn Thị Hòa", "Trần Văn Đức", "Art. 168", "18,000,000", "Created", "Timeline"):
        assert text in html, text


def test_the_detail_page_of_a_fire_shows_its_report(personas, world):
    html = (
        client_for(personas["fire_rescue"]).get(f"/records/incidents/{world['fire_b'].pk}/").content.decode()
    )
    assert "Fire and rescue report" in html and "Chập điện" in html


def test_pages_carry_no_inline_script(personas, world):
    client = client_for(personas["commune_officer"])
    for url in (
        "/records/incidents/",
        f"/records/incidents/{world['theft_a'].pk}/",
        "/records/incidents/new/",
        f"/records/incidents/{world['theft_a'].pk}/edit/",
    ):
        html = client.get(url).content.decode()
        for chunk in html.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            assert "src=" in head or 'type="application/json"' in head, f"inline script on {url}"


def test_an_edit_without_the_version_it_started_from_is_refused(personas):
    officer = personas["commune_officer"]
    incident = record(officer)
    response = client_for(officer).post(
        f"/records/incidents/{incident.pk}/edit/", form_data(version="", address="X")
    )
    assert response.status_code == 422
    assert Incident.objects.get(pk=incident.pk).address == "12 Hoàng Văn Thụ"

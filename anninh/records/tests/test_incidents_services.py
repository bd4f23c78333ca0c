"""Recording and changing incidents through the services: numbering, the commune from the
point, offences, people, losses, fire-and-rescue reports, and every refusal of bad input
(with nothing saved)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent
from anninh.lib.dates import local_date
from anninh.records.models import (
    FireRescueDetail,
    Incident,
    IncidentLoss,
    IncidentPerson,
    Person,
    RecordEvent,
    ResponseTime,
)
from anninh.records.services import incidents as services
from anninh.records.services.incidents import (
    FireRescueData,
    InvalidRecord,
    LossData,
    OffenceData,
    PersonData,
    ResponseTimeData,
)
from anninh.records.tests.test_incidents_factories import (  # noqa: F401
    POINT_AT_SEA,
    POINT_HANOI,
    data,
    fast_passwords,
    hours_ago,
    local,
    point_in,
    record,
    unit_id,
    update,
)
from anninh.records.versioning import ConflictError, RecordError
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db


def codes(exc: InvalidRecord) -> set[str]:
    return {e.code for e in exc.errors}


def fields(exc: InvalidRecord) -> set[str]:
    return {e.field for e in exc.errors}


def assert_nothing_saved(before_incidents: int, before_audit: int) -> None:
    assert Incident.objects.count() == before_incidents
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == before_audit


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


# Numbering ---------------------------------------------------------------------------------


def test_incidents_are_numbered_per_responsible_unit_and_year_of_report(personas, officer):
    first = record(officer)
    second = record(officer)
    other = record(personas["other_commune_officer"], commune=COMMUNE_B)
    year = local_date(first.reported_at).year  # reported 2 hours ago: last year early on 1 January
    assert first.number == f"VV-CA{COMMUNE_A}-{year}-000001"
    assert second.number == f"VV-CA{COMMUNE_A}-{year}-000002"
    assert other.number == f"VV-CA{COMMUNE_B}-{year}-000001"


def test_an_incident_reported_last_year_is_numbered_in_last_years_register(officer):
    last_year = timezone.localdate().year - 1
    incident = record(
        officer, occurred_from=local(last_year, 12, 30, 22), reported_at=local(last_year, 12, 31, 8)
    )
    assert incident.number.endswith(f"-{last_year}-000001")


# The place ----------------------------------------------------------------------------------


def test_the_commune_is_taken_from_the_point_not_from_the_commune_chosen(officer):
    lat, lon = point_in(COMMUNE_B)
    incident = record(officer, point=(lat, lon), commune_code=COMMUNE_A)
    assert incident.commune_id == COMMUNE_B


def test_without_a_point_the_chosen_commune_is_kept(officer):
    incident = record(officer, point=None, commune_code=COMMUNE_B)
    assert incident.commune_id == COMMUNE_B and incident.lat is None


@pytest.mark.parametrize("point", [POINT_AT_SEA, POINT_HANOI])
def test_a_point_outside_the_city_is_refused_and_nothing_is_saved(officer, point):
    before = Incident.objects.count(), AuditEvent.objects.filter(action=AuditAction.CREATE).count()
    with pytest.raises(InvalidRecord) as exc:
        record(officer, point=point)
    assert "incident.outside_city" in codes(exc.value)
    assert "outside Hai Phong" in exc.value.message
    assert_nothing_saved(*before)


def test_half_a_point_is_refused(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(officer, point=None, lat=20.86)
    assert "incident.point" in codes(exc.value)


# Times --------------------------------------------------------------------------------------


def test_an_incident_cannot_have_happened_after_it_was_reported(officer):
    before = Incident.objects.count(), AuditEvent.objects.filter(action=AuditAction.CREATE).count()
    with pytest.raises(InvalidRecord) as exc:
        record(officer, occurred_from=hours_ago(1), reported_at=hours_ago(2))
    assert codes(exc.value) == {"incident.reported_before"}
    assert fields(exc.value) == {"occurred_from"}
    assert_nothing_saved(*before)


def test_an_occurrence_in_the_future_is_refused(officer):
    future = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(InvalidRecord) as exc:
        record(officer, occurred_from=future, reported_at=future + dt.timedelta(hours=1))
    assert "incident.future" in codes(exc.value)
    assert {"occurred_from", "reported_at"} <= fields(exc.value)


def test_a_time_window_ending_before_it_starts_is_refused(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(officer, occurred_from=hours_ago(5), occurred_to=hours_ago(6), reported_at=hours_ago(1))
    assert codes(exc.value) == {"incident.window"}
    assert fields(exc.value) == {"occurred_to"}


def test_a_time_window_is_kept_when_the_exact_time_is_unknown(officer):
    incident = record(
        officer, occurred_from=hours_ago(10), occurred_to=hours_ago(4), reported_at=hours_ago(3)
    )
    assert incident.occurred_to > incident.occurred_from


def test_a_window_ending_after_the_report_is_refused(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(officer, occurred_from=hours_ago(10), occurred_to=hours_ago(1), reported_at=hours_ago(3))
    assert codes(exc.value) == {"incident.reported_before"}


def test_naive_times_are_read_as_vietnamese_local_time(officer):
    naive = (timezone.localtime() - dt.timedelta(hours=3)).replace(tzinfo=None, second=0, microsecond=0)
    incident = record(officer, occurred_from=naive, reported_at=hours_ago(1))
    assert timezone.localtime(incident.occurred_from).replace(tzinfo=None) == naive


# Offences -----------------------------------------------------------------------------------


def test_the_offence_group_is_the_group_of_the_main_offence(officer):
    incident = record(officer, offences=(OffenceData("173"), OffenceData("Điều 251", 2, is_main=True)))
    assert incident.offence_group == "drugs"
    links = {link.offence.article: link.is_main for link in incident.offence_links.select_related("offence")}
    assert links == {"173": False, "251": True}


def test_without_a_main_mark_the_first_offence_is_the_main_one(officer):
    incident = record(officer, offences=(OffenceData("174"), OffenceData("173")))
    assert incident.offence_group == "fraud"


def test_an_unknown_article_is_refused(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(officer, offences=(OffenceData("173"), OffenceData("999")))
    assert codes(exc.value) == {"offence.unknown"}
    assert fields(exc.value) == {"offences.1.article"}
    assert "999" in exc.value.message


def test_an_article_not_yet_in_force_when_it_happened_is_refused(officer):
    # 256a (illegal drug use) is in force from 01/07/2025.
    with pytest.raises(InvalidRecord) as exc:
        record(
            officer,
            occurred_from=local(2025, 3, 1),
            reported_at=local(2025, 3, 2),
            offences=(OffenceData("256a"),),
        )
    assert codes(exc.value) == {"offence.not_in_force"}
    assert "01/03/2025" in exc.value.message


def test_two_main_offences_are_refused(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(officer, offences=(OffenceData("173", is_main=True), OffenceData("174", is_main=True)))
    assert codes(exc.value) == {"offence.main"}


def test_the_same_article_twice_is_refused(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(officer, offences=(OffenceData("173"), OffenceData("Điều 173")))
    assert codes(exc.value) == {"offence.duplicate"}


# Losses -------------------------------------------------------------------------------------


def test_losses_are_summed_in_whole_dong_from_what_was_typed(officer):
    incident = record(
        officer,
        losses=(
            LossData("Xe máy", "18.000.000 ₫"),
            LossData("Điện thoại", 4_500_000),
            LossData("Ví", "350000"),
        ),
    )
    assert incident.losses_vnd == 22_850_000
    assert sorted(IncidentLoss.objects.filter(incident=incident).values_list("value_vnd", flat=True)) == [
        350_000,
        4_500_000,
        18_000_000,
    ]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12,5", "vnd.fractional"),
        ("1.500.000,50", "vnd.fractional"),
        ("-500.000", "vnd.negative"),
        (-1, "vnd.negative"),
        ("abc", "vnd.invalid"),
    ],
)
def test_negative_or_fractional_amounts_are_refused_with_nothing_saved(officer, value, code):
    before = Incident.objects.count(), AuditEvent.objects.filter(action=AuditAction.CREATE).count()
    with pytest.raises(InvalidRecord) as exc:
        record(officer, losses=(LossData("Tiền mặt", value),))
    assert codes(exc.value) == {code}
    assert fields(exc.value) == {"losses.0.value_vnd"}
    assert_nothing_saved(*before)


def test_every_problem_is_reported_at_once(officer):
    with pytest.raises(InvalidRecord) as exc:
        record(
            officer,
            point=POINT_AT_SEA,
            occurred_from=hours_ago(1),
            reported_at=hours_ago(2),
            offences=(OffenceData("999"),),
            losses=(LossData("Tiền", "12,5"),),
        )
    assert codes(exc.value) == {
        "incident.outside_city",
        "incident.reported_before",
        "offence.unknown",
        "vnd.fractional",
    }


# People -------------------------------------------------------------------------------------


def test_victims_and_suspects_are_found_in_the_person_index_not_duplicated(officer):
    first = record(officer, persons=(PersonData("victim", "Nguyễn Văn An", cccd="031190000123"),))
    second = record(officer, persons=(PersonData("suspect", "Nguyễn Văn An", cccd="031 190 000 123"),))
    assert Person.objects.filter(cccd="031190000123").count() == 1
    person = Person.objects.get(cccd="031190000123")
    assert set(IncidentPerson.objects.filter(person=person).values_list("incident_id", "role")) == {
        (first.pk, "victim"),
        (second.pk, "suspect"),
    }


def test_an_invalid_citizen_id_is_refused_before_anything_is_written(officer):
    persons_before = Person.objects.count()
    with pytest.raises(InvalidRecord) as exc:
        record(officer, persons=(PersonData("victim", "Lê Thị Bình", cccd="12345"),))
    assert fields(exc.value) == {"persons.0.cccd"}
    assert Person.objects.count() == persons_before


def test_an_edit_keeps_linked_people_named_by_id_and_drops_the_others(officer):
    incident = record(
        officer,
        persons=(
            PersonData("victim", "Phạm Văn Cường", phone="0987654321"),
            PersonData("witness", "Vũ Thị Dung"),
        ),
    )
    victim = incident.person_links.get(role="victim")
    incident = update(
        officer, incident, persons=(PersonData("victim", person_id=victim.person_id, note="đã lấy lời khai"),)
    )
    assert list(incident.person_links.values_list("person_id", "role", "note")) == [
        (victim.person_id, "victim", "đã lấy lời khai"),
    ]


def test_a_person_not_linked_to_the_incident_cannot_be_named_by_id(officer):
    other = record(officer, persons=(PersonData("victim", "Đỗ Văn Em", phone="0977000111"),))
    incident = record(officer)
    with pytest.raises(InvalidRecord) as exc:
        update(
            officer, incident, persons=(PersonData("victim", person_id=other.person_links.get().person_id),)
        )
    assert codes(exc.value) == {"person.unknown"}


# Fire and rescue ----------------------------------------------------------------------------


def test_a_fire_keeps_its_after_action_report_and_response_times(personas):
    officer = personas["fire_rescue"]
    t0 = hours_ago(6)
    incident = record(
        officer,
        kind="fire",
        responsible_unit_id=unit_id("PC07"),
        offences=(),
        fire_rescue=FireRescueData(
            cause="Chập điện",
            dead=1,
            injured=2,
            rescued=5,
            damage_vnd="1.200.000.000",
            forces=35,
            vehicles=6,
            response_times=(
                ResponseTimeData(
                    unit_id(f"CA{COMMUNE_A}"),
                    alerted_at=t0 + dt.timedelta(minutes=1),
                    dispatched_at=t0 + dt.timedelta(minutes=2),
                    arrived_at=t0 + dt.timedelta(minutes=9),
                    controlled_at=t0 + dt.timedelta(minutes=40),
                    ended_at=t0 + dt.timedelta(minutes=95),
                ),
            ),
        ),
        occurred_from=t0,
        reported_at=t0 + dt.timedelta(minutes=1),
    )
    detail = FireRescueDetail.objects.get(incident=incident)
    assert (detail.dead, detail.injured, detail.rescued, detail.damage_vnd, detail.forces) == (
        1,
        2,
        5,
        1_200_000_000,
        35,
    )
    assert ResponseTime.objects.filter(incident=incident).count() == 1


def test_response_times_out_of_order_are_refused(personas):
    t0 = hours_ago(6)
    with pytest.raises(InvalidRecord) as exc:
        record(
            personas["fire_rescue"],
            kind="rescue_drowning",
            responsible_unit_id=unit_id("PC07"),
            offences=(),
            occurred_from=t0,
            reported_at=t0 + dt.timedelta(minutes=5),
            fire_rescue=FireRescueData(
                river="cam",
                vessel="Tàu cát HP-1234",
                response_times=(
                    ResponseTimeData(
                        unit_id("PC07"),
                        alerted_at=t0 + dt.timedelta(minutes=10),
                        arrived_at=t0 + dt.timedelta(minutes=8),
                    ),
                ),
            ),
        )
    assert codes(exc.value) == {"response.order"}
    assert fields(exc.value) == {"response_times.0.arrived_at"}


def test_a_waterway_rescue_keeps_its_river_and_vessel(personas):
    incident = record(
        personas["fire_rescue"],
        kind="rescue_transport",
        responsible_unit_id=unit_id("PC07"),
        offences=(),
        fire_rescue=FireRescueData(river="bach_dang", vessel="Sà lan HP-2201", victims_found=1),
    )
    detail = incident.fire_rescue
    assert (detail.river, detail.vessel, detail.victims_found) == ("bach_dang", "Sà lan HP-2201", 1)


def test_the_fire_report_is_removed_when_the_kind_is_no_longer_fire_or_rescue(personas):
    officer = personas["investigator"]
    incident = record(
        officer, kind="explosion", responsible_unit_id=unit_id("PC02"), fire_rescue=FireRescueData(injured=3)
    )
    assert FireRescueDetail.objects.filter(incident=incident).exists()
    update(officer, incident, kind="crime", responsible_unit_id=unit_id("PC02"))
    assert not FireRescueDetail.objects.filter(incident=incident).exists()


def test_a_fire_and_rescue_officer_cannot_record_a_crime(personas):
    with pytest.raises(RecordError) as exc:
        record(personas["fire_rescue"], responsible_unit_id=unit_id("PC07"))
    assert exc.value.code == "permission.kind"


# Permission ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["commander", "analyst", "public_relations", "auditor", "administrator", "no_role"]
)
def test_roles_that_do_not_write_records_cannot_record_incidents(personas, name):
    with pytest.raises(RecordError) as exc:
        record(personas[name])
    assert exc.value.code == "permission.role"


def test_an_officer_cannot_record_an_incident_for_another_unit(personas):
    with pytest.raises(RecordError) as exc:
        record(personas["commune_officer"], responsible_unit_id=unit_id(f"CA{COMMUNE_B}"))
    assert exc.value.code == "permission.unit"
    assert not Incident.objects.exists()


# Audit, timeline, versions ------------------------------------------------------------------


def test_creating_writes_one_audit_row_and_a_timeline_entry_with_the_whole_record(officer):
    incident = record(officer, persons=(PersonData("victim", "Hoàng Văn Giang", phone="0905111222"),))
    audit = AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="records.incident", object_id=str(incident.pk)
    )
    assert audit.count() == 1
    event = RecordEvent.objects.get(object_type="records.incident", object_id=incident.pk)
    assert event.kind == "created" and event.version == 1
    assert event.snapshot["offences"] == ["173 *"]
    assert event.snapshot["losses"] == [["Xe máy Honda Wave", 18_000_000, False]]
    assert len(event.snapshot["persons"]) == 1


def test_an_update_bumps_the_version_and_the_timeline_keeps_what_changed(officer):
    incident = record(officer)
    incident = update(
        officer, incident, address="15 Điện Biên Phủ", losses=(LossData("Xe máy Honda Wave", 20_000_000),)
    )
    assert incident.version == 2 and incident.losses_vnd == 20_000_000
    event = RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk).last()
    assert event.kind == "updated"
    assert event.changes["address"] == ["12 Hoàng Văn Thụ", "15 Điện Biên Phủ"]
    assert event.changes["losses_vnd"] == [18_000_000, 20_000_000]


def test_a_stale_version_is_refused_and_nothing_is_overwritten(officer):
    incident = record(officer)
    stale = Incident.objects.get(pk=incident.pk)
    update(officer, incident, address="Người thứ nhất")
    with pytest.raises(ConflictError):
        services.incident_update(actor=officer, incident=stale, data=data(address="Người thứ hai"), version=1)
    assert Incident.objects.get(pk=incident.pk).address == "Người thứ nhất"


def test_text_search_key_is_folded(officer):
    incident = record(officer, address="Phố Hoàng Văn Thụ", narrative="Đối tượng dùng XE MÁY")
    assert "hoang van thu" in incident.search_key and "doi tuong dung xe may" in incident.search_key


def test_imports_can_bring_their_own_number_and_external_id(officer):
    incident = services.incident_create(
        actor=officer, data=data(), number="HS-2024-77", external_id="old-system:77"
    )
    assert (incident.number, incident.external_id) == ("HS-2024-77", "old-system:77")
    with pytest.raises(InvalidRecord) as exc:
        services.incident_create(actor=officer, data=data(), number="HS-2024-77")
    assert codes(exc.value) == {"incident.number_taken"}


def test_data_is_a_plain_value_that_can_be_copied(officer):
    base = data()
    assert replace(base, address="x").address == "x"


def test_a_loss_is_capped_at_a_million_billion_dong_so_sums_stay_integers(officer):
    # 10^15 đ (a million billion) is far beyond any loss and leaves room for 9,000 of them in
    # one sum below SQLite's and PostgreSQL's 64-bit integer limit.
    ok = record(officer, losses=(LossData("Tài sản", 10**15),))
    assert ok.losses.get().value_vnd == 10**15
    with pytest.raises(InvalidRecord) as exc:
        record(officer, losses=(LossData("Tài sản", 10**15 + 1),))
    assert codes(exc.value) == {"vnd.too_large"}
    assert fields(exc.value) == {"losses.0.value_vnd"}
    assert "1.000.000.000.000.000" in exc.value.message  # the message says the maximum
    with pytest.raises(InvalidRecord) as exc:
        record(officer, losses=(LossData("Tài sản", "999.999.999.999.999.999 đ"),))
    assert codes(exc.value) == {"vnd.too_large"}
    # Two losses of one incident: their total is capped too.
    with pytest.raises(InvalidRecord) as exc:
        record(officer, losses=(LossData("Xe", 6 * 10**14), LossData("Nhà", 6 * 10**14)))
    assert codes(exc.value) == {"vnd.too_large"} and fields(exc.value) == {"losses"}


def test_fire_damage_is_capped_like_a_loss(personas):
    from anninh.records.services.incidents import FireRescueData

    with pytest.raises(InvalidRecord) as exc:
        record(
            personas["fire_rescue"],
            kind="fire",
            offences=(),
            losses=(),
            responsible_unit_id=unit_id("PC07"),
            fire_rescue=FireRescueData(damage_vnd=10**15 + 1),
        )
    assert codes(exc.value) == {"vnd.too_large"} and fields(exc.value) == {"fire_rescue.damage_vnd"}


def test_a_rescue_at_sea_is_assigned_to_the_nearest_communes_water(personas):
    import shapely

    from anninh.geo.models import Commune

    boundary = shapely.geometry.shape(Commune.objects.get(code="11948").boundary)
    lon, lat = max(shapely.get_coordinates(boundary), key=lambda xy: xy[1])
    at_sea = (float(lat) + 5_000 / 111_195, float(lon))  # 5 km north of Bạch Long Vĩ
    rescuer = personas["fire_rescue"]
    rescue = record(
        rescuer,
        kind="rescue_drowning",
        point=at_sea,
        offences=(),
        losses=(),
        responsible_unit_id=unit_id("PC07"),
        fire_rescue=FireRescueData(river="sea", rescued=3),
    )
    assert rescue.commune_id == "11948" and rescue.lat == pytest.approx(at_sea[0], abs=1e-6)
    # Without a waterway the point is on land rules: outside the city.
    with pytest.raises(InvalidRecord) as exc:
        record(
            rescuer,
            kind="rescue_drowning",
            point=at_sea,
            offences=(),
            losses=(),
            responsible_unit_id=unit_id("PC07"),
            fire_rescue=FireRescueData(rescued=3),
        )
    assert codes(exc.value) == {"incident.outside_city"}
    # A crime is never placed by the water rule.
    with pytest.raises(InvalidRecord) as exc:
        record(personas["commune_officer"], point=at_sea)
    assert "incident.outside_city" in codes(exc.value)

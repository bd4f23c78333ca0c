"""Seeded police units, the loader, validity windows and model rules."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from anninh.audit.models import AuditEvent
from anninh.geo.models import Commune
from anninh.org.models import Unit, UnitKind
from anninh.org.services import load_units

pytestmark = pytest.mark.django_db

DEPARTMENTS = {"PV01", "PA04", "PA05", "PC01", "PC02", "PC03", "PC04", "PC06", "PC07", "PC08", "PK02"}


def test_migrations_seed_the_city_police_eleven_departments_and_one_unit_per_commune():
    city = Unit.objects.get(code="CAHP")
    assert city.kind == UnitKind.CITY
    assert city.name == "Công an thành phố Hải Phòng"
    assert city.parent is None
    departments = Unit.objects.filter(kind=UnitKind.DEPARTMENT)
    assert set(departments.values_list("code", flat=True)) == DEPARTMENTS
    assert all(d.parent_id == city.pk and d.name_en for d in departments)
    commune_units = Unit.objects.filter(kind=UnitKind.COMMUNE)
    assert commune_units.count() == Commune.objects.count() == 114
    assert Unit.objects.count() == 1 + 11 + 114
    for unit in commune_units.select_related("commune"):
        assert unit.code == f"CA{unit.commune.code}"
        generic, _, proper = unit.commune.name.partition(" ")
        if unit.commune.name.startswith("Đặc khu "):
            generic, proper = "Đặc khu", unit.commune.name[len("Đặc khu ") :]
        # The generic word is lower case inside the unit's name: "Công an phường Hồng Bàng".
        assert unit.name == f"Công an {generic.lower()} {proper}"
        assert unit.parent_id == city.pk


def test_commune_units_have_vietnamese_and_english_names():
    hong_bang = Unit.objects.get(code="CA11311")
    assert hong_bang.name == "Công an phường Hồng Bàng"
    assert hong_bang.name_en == "Hong Bang Ward Police"
    assert Unit.objects.get(code="CA11914").name_en == "Cat Hai Special Zone Police"
    assert Unit.objects.get(code="CA11914").name == "Công an đặc khu Cát Hải"
    assert Unit.objects.get(code="PC07").name == "Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ"


def test_every_unit_code_the_personas_rely_on_is_active():
    codes = {"CAHP", "PV01", "PC02", "PC07", "CA11311", "CA11329"}
    assert set(Unit.objects.active().filter(code__in=codes).values_list("code", flat=True)) == codes


def test_loading_units_twice_restores_seeded_values_in_place_without_duplicates():
    Unit.objects.filter(code="PC02").update(name="Renamed", name_en="")
    first = load_units()
    assert first.updated == ["PC02"]
    assert first.created == []
    second = load_units()
    assert (second.created, second.updated, second.unchanged) == ([], [], 126)
    assert Unit.objects.count() == 126
    assert Unit.objects.filter(code="PC02").count() == 1
    assert Unit.objects.get(code="PC02").name == "Phòng Cảnh sát hình sự"


def test_the_loader_recreates_a_missing_unit_and_leaves_a_closed_one_closed():
    Unit.objects.filter(code="CA11948").delete()
    Unit.objects.filter(code="PK02").update(valid_to=dt.date(2025, 12, 31))
    result = load_units()
    assert result.created == ["CA11948"]
    assert result.closed == ["PK02"]
    assert Unit.objects.filter(code="PK02").count() == 1
    assert not Unit.objects.active().filter(code="PK02").exists()


def test_the_command_shows_progress_and_audits_a_load_that_changed_something():
    out, err = StringIO(), StringIO()
    call_command("load_units", stdout=out, stderr=err)
    assert "0 created, 0 updated, 126 unchanged" in out.getvalue()
    assert not AuditEvent.objects.filter(object_repr="load_units").exists()
    Unit.objects.filter(code="PC08").update(short_name="x")
    call_command("load_units", stdout=out, stderr=err)
    assert "126/126" in err.getvalue()
    event = AuditEvent.objects.get(object_repr="load_units")
    assert (event.object_type, event.extra["updated"]) == ("org.unit", 1)


def test_active_units_are_those_whose_validity_window_contains_the_day():
    city = Unit.objects.get(code="CAHP")
    day = dt.date(2026, 3, 15)
    windows = {
        "OPEN": (dt.date(2025, 7, 1), None),
        "ENDS_TODAY": (dt.date(2025, 7, 1), day),
        "STARTS_TODAY": (day, None),
        "ENDED": (dt.date(2025, 7, 1), day - dt.timedelta(days=1)),
        "FUTURE": (day + dt.timedelta(days=1), None),
    }
    for code, (start, end) in windows.items():
        Unit.objects.create(
            code=code, name=code, kind=UnitKind.DEPARTMENT, parent=city, valid_from=start, valid_to=end
        )
    active = set(Unit.objects.active(day).filter(code__in=windows).values_list("code", flat=True))
    assert active == {"OPEN", "ENDS_TODAY", "STARTS_TODAY"}
    assert Unit.objects.get(code="FUTURE").is_active_on(day) is False
    assert Unit.objects.get(code="ENDS_TODAY").is_active_on(day) is True


def test_a_unit_may_be_reopened_under_the_same_code_from_another_day():
    Unit.objects.filter(code="PC08").update(valid_to=dt.date(2026, 1, 31))
    city = Unit.objects.get(code="CAHP")
    Unit.objects.create(
        code="PC08",
        name="Phòng CSGT mới",
        kind=UnitKind.DEPARTMENT,
        parent=city,
        valid_from=dt.date(2026, 2, 1),
    )
    assert Unit.objects.active(dt.date(2026, 1, 31)).get(code="PC08").valid_to == dt.date(2026, 1, 31)
    assert Unit.objects.active(dt.date(2026, 2, 1)).get(code="PC08").name == "Phòng CSGT mới"


def test_saving_a_unit_derives_its_sort_and_search_keys():
    unit = Unit.objects.get(code="PC02")
    unit.name = "Đội Điều tra"
    unit.save(update_fields=["name"])
    unit.refresh_from_db()
    assert "doi dieu tra" in unit.search_key
    assert unit.sort_key != ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": UnitKind.COMMUNE, "commune_id": None}, "commune"),
        ({"kind": UnitKind.DEPARTMENT, "commune_id": "11311"}, "commune"),
        ({"kind": UnitKind.DEPARTMENT, "parent_id": None}, "parent"),
    ],
)
def test_unit_rules_reject_inconsistent_kinds(changes, field):
    unit = Unit.objects.get(code="PC02")
    for name, value in changes.items():
        setattr(unit, name, value)
    with pytest.raises(ValidationError) as excinfo:
        unit.full_clean()
    assert field in excinfo.value.message_dict


def test_a_unit_cannot_report_to_a_unit_below_it():
    city = Unit.objects.get(code="CAHP")
    city.kind = UnitKind.DEPARTMENT
    city.parent = Unit.objects.get(code="PC02")
    with pytest.raises(ValidationError) as excinfo:
        city.full_clean()
    assert "parent" in excinfo.value.message_dict

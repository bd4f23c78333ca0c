"""Exporting incidents: scoped like the list, no names for viewers without personal data,
audited, and a round trip (export, then import into an empty database) recreates them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse

from anninh.audit.models import AuditAction, AuditEvent
from anninh.lib.dates import HCM_TZ
from anninh.org.models import Unit
from anninh.records.models import Incident, IncidentPerson, Person
from anninh.records.services.io import incidents_import, system_user
from anninh.records.tests.test_io_import import GOOD, HEADER, write_csv
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas get passwords; the production hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


FULL_HEADER = [*HEADER, "occurred_to", "premises", "unit_code", "review_status", "synthetic"]
MORE = [
    [
        "R-1",
        "crime",
        "10/10/2025 21:05:33",
        "11/10/2025 06:00",
        "11329",
        "=SUM(A1)",
        "",
        "",
        "174; 290",
        "250000000",
        "- lừa đảo qua mạng, thiệt hại lớn",
        "",
        "online",
        "CA11329",
        "approved",
        "1",
    ],
    [
        "R-2",
        "crime",
        "09/10/2025 22:00",
        "10/10/2025 07:15",
        "11311",
        "Ngõ 5",
        "20.8612",
        "106.6801",
        "173/1",
        "3000000",
        "Trộm cắp",
        "10/10/2025 05:00",
        "home",
        "CA11311",
        "draft",
        "0",
    ],
    [
        "R-3",
        "rescue_drowning",
        "01/08/2025 16:20",
        "01/08/2025 16:25",
        "11311",
        "Sông Cấm",
        "",
        "",
        "",
        "",
        "",
        "",
        "waterway",
        "PC07",
        "submitted",
        "0",
    ],
]


@pytest.fixture
def incidents(tmp_path, personas):
    """Incidents in two communes (Hồng Bàng and Ngô Quyền), one with people."""
    rows = [[*r, "", "other", "CA11311", "draft", "0"] for r in GOOD] + MORE
    result = incidents_import(
        actor=system_user(),
        unit=Unit.objects.get(code="CA11311"),
        path=write_csv(tmp_path / "seed.csv", rows, FULL_HEADER),
        system=True,
    )
    assert result.ok, [p.message for p in result.problems]
    theft = Incident.objects.get(external_id="T-1")
    for role, name in (
        ("victim", "Nguyễn Thị Nạn Nhân"),
        ("suspect", "Trần Văn Nghi"),
        ("reporter", "Lê Văn Tố Giác"),
    ):
        person = Person.objects.create(full_name=name, name_key=name.lower(), sort_key=name.lower())
        IncidentPerson.objects.create(incident=theft, person=person, role=role)
    # One recorded in the app, without an external id and with seconds in its times.
    Incident.objects.create(
        number="VV-CA11311-2025-099999",
        kind="administrative",
        occurred_from=dt.datetime(2025, 9, 1, 8, 0, 7, tzinfo=HCM_TZ),
        reported_at=dt.datetime(2025, 9, 1, 9, 30, 45, tzinfo=HCM_TZ),
        commune_id="11311",
        address="Hồng Bàng",
        responsible_unit=Unit.objects.get(code="CA11311"),
        created_by=personas["commune_officer"],
        review_status="approved",
    )
    return Incident.objects.all()


def read_csv(response) -> list[dict]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(body[1:])))


def test_a_commune_officer_exports_only_their_commune(incidents, personas):
    response = client_for(personas["commune_officer"]).get(reverse("records:export") + "?format=csv")
    rows = read_csv(response)
    # Their commune, or what their own unit handles (T-2's point lies in Lê Chân).
    assert rows and all(r["commune_code"] == "11311" or r["unit_code"] == "CA11311" for r in rows)
    assert {r["external_id"] for r in rows} == {"T-1", "T-2", "T-3", "R-2", "R-3", ""}
    assert "R-1" not in {r["external_id"] for r in rows}  # Ngô Quyền, unit CA11329
    other = read_csv(
        client_for(personas["other_commune_officer"]).get(reverse("records:export") + "?format=csv")
    )
    assert {r["external_id"] for r in other} == {"R-1"}


def test_an_analyst_export_names_nobody(incidents, personas):
    analyst = read_csv(client_for(personas["analyst"]).get(reverse("records:export") + "?format=csv"))
    assert len(analyst) == incidents.count()
    assert "persons" not in analyst[0]
    flat = json.dumps(analyst, ensure_ascii=False)
    assert "Nạn Nhân" not in flat and "Trần Văn Nghi" not in flat
    geo = client_for(personas["analyst"]).get("/api/records/io/incidents.geojson")
    assert "Nạn Nhân" not in b"".join(geo.streaming_content).decode()


def test_a_commander_export_names_victims_and_suspects_but_never_the_reporter(incidents, personas):
    rows = read_csv(client_for(personas["commander"]).get(reverse("records:export") + "?format=csv"))
    theft = next(r for r in rows if r["external_id"] == "T-1")
    assert "Nguyễn Thị Nạn Nhân" in theft["persons"] and "Trần Văn Nghi" in theft["persons"]
    assert "Tố Giác" not in json.dumps(rows, ensure_ascii=False)


def test_every_export_is_audited_with_its_filters_and_row_count(incidents, personas):
    client = client_for(personas["commander"])
    response = client.get(reverse("records:export") + "?format=csv&commune=11311&date_from=01/10/2025")
    rows = read_csv(response)
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert event.actor_id == personas["commander"].pk and event.object_type == "records.incident"
    assert event.extra["rows"] == len(rows) and event.extra["format"] == "csv"
    assert event.extra["filters"] == {"commune": "11311", "date_from": "01/10/2025"}
    client.get("/api/records/io/incidents.xlsx?kind=crime")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert (
        event.extra["via"] == "api"
        and event.extra["format"] == "xlsx"
        and event.extra["filters"] == {"kind": ["crime"]}
    )


def test_geojson_has_points_and_null_geometries(incidents, personas):
    response = client_for(personas["commander"]).get(reverse("records:export") + "?format=geojson")
    assert response["Content-Type"] == "application/geo+json"
    data = json.loads(b"".join(response.streaming_content))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == incidents.count()
    by_id = {f["id"]: f for f in data["features"]}
    located = Incident.objects.get(external_id="R-2")
    assert by_id[located.number]["geometry"] == {"type": "Point", "coordinates": [located.lon, located.lat]}
    assert by_id[Incident.objects.get(external_id="T-1").number]["geometry"] is None


FIELDS = (
    "number",
    "external_id",
    "kind",
    "occurred_from",
    "occurred_to",
    "reported_at",
    "commune_id",
    "address",
    "lat",
    "lon",
    "premises",
    "narrative",
    "responsible_unit_id",
    "offence_group",
    "losses_vnd",
    "review_status",
    "is_synthetic",
)


def _state() -> dict[str, tuple]:
    out = {}
    for incident in Incident.objects.all():
        offences = tuple(sorted(incident.offence_links.values_list("offence__article", "clause", "is_main")))
        out[incident.number] = (*(getattr(incident, f) for f in FIELDS), offences)
    return out


def _empty_the_database():
    Incident.objects.all().delete()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_database_recreates_the_incidents(
    incidents, personas, tmp_path, fmt
):
    before = _state()
    response = client_for(personas["commander"]).get(reverse("records:export") + f"?format={fmt}")
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(b"".join(response.streaming_content))
    _empty_the_database()
    result = incidents_import(
        actor=system_user(), unit=Unit.objects.get(code="CA11311"), path=path, system=True
    )
    assert result.ok, [(p.row, p.column, p.message) for p in result.problems + result.file_problems]
    assert result.created == len(before)
    after = _state()
    assert after == before
    again = incidents_import(
        actor=system_user(), unit=Unit.objects.get(code="CA11311"), path=path, system=True
    )
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(before))


def test_xlsx_export_is_a_workbook_with_date_cells(incidents, personas):
    from openpyxl import load_workbook

    response = client_for(personas["commander"]).get("/api/records/io/incidents.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert header[: len(("number", "external_id"))] == ("number", "external_id")
    first = dict(zip(header, rows[1], strict=True))
    assert isinstance(first["occurred_from"], dt.datetime) and len(rows) == incidents.count() + 1


def test_the_export_command_writes_what_the_user_may_see(incidents, personas, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "out.csv"
    call_command(
        "export_incidents",
        "--format",
        "csv",
        "--as",
        "p_other_commune_officer",
        "-o",
        str(out),
        "--no-progress",
    )
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r["external_id"] for r in rows} == {"R-1"}
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, extra__via="command").count() == 1
    geo = tmp_path / "out.geojson"
    call_command(
        "export_incidents",
        "--format",
        "geojson",
        "--as",
        "p_commander",
        "--filter",
        "commune=11329",
        "-o",
        str(geo),
    )
    assert [f["properties"]["external_id"] for f in json.loads(geo.read_text())["features"]] == ["R-1"]

"""Importing incidents: dry run with every bad row and its reason (Vietnamese and English),
all-or-nothing commit, idempotent re-runs, updates by external id, CSV and XLSX, mappings."""

from __future__ import annotations

import csv
import datetime as dt
import json

import polib
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from anninh.audit.models import AuditAction, AuditEvent
from anninh.lib.dates import HCM_TZ
from anninh.lib.text import fold
from anninh.org.models import Unit
from anninh.records.models import ImportBatch, Incident, IncidentLoss, RecordEvent
from anninh.records.services.io import incidents_import, parse_mapping, system_user
from anninh.records.services.io_fast import fast_fold, fast_normalize
from anninh.records.services.io_formats import MESSAGES, FileProblem
from anninh.records.versioning import RecordError

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas get passwords; the production hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


HEADER = [
    "external_id",
    "kind",
    "occurred_from",
    "reported_at",
    "commune_code",
    "address",
    "lat",
    "lon",
    "articles",
    "losses_vnd",
    "narrative",
]
GOOD = [
    [
        "T-1",
        "crime",
        "05/11/2025 14:30",
        "05/11/2025 15:10",
        "11311",
        "12 Lạch Tray",
        "",
        "",
        "173",
        "12.500.000",
        "Mất xe máy",
    ],
    [
        "T-2",
        "crime",
        "01/11/2025 22:00",
        "02/11/2025 07:30",
        "",
        "",
        "20.8449",
        "106.6881",
        "256a/1; 249",
        "",
        "Dữ liệu thử",
    ],
    ["T-3", "fire", "03/11/2025 02:10", "03/11/2025 02:15", "11311", "Chợ Sắt", "", "", "", "0", ""],
]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def unit_a():
    return Unit.objects.active().get(code="CA11311")


def test_dry_run_lists_every_bad_row_with_its_reason(tmp_path, personas, unit_a):
    bad = [
        GOOD[0],
        [
            "B-1",
            "crime",
            "05/11/2025 10:00",
            "05/11/2025 11:00",
            "99999",
            "",
            "",
            "",
            "173",
            "",
            "",
        ],  # commune
        ["B-2", "crime", "11/25/2025", "26/11/2025 08:00", "11311", "", "", "", "173", "", ""],  # month first
        [
            "B-3",
            "crime",
            "06/11/2025 10:00",
            "05/11/2025 11:00",
            "11311",
            "",
            "",
            "",
            "173",
            "",
            "",
        ],  # after reported
        [
            "B-4",
            "crime",
            "05/11/2025 10:00",
            "05/11/2025 11:00",
            "",
            "",
            "10.5",
            "106.7",
            "173",
            "",
            "",
        ],  # outside
        [
            "B-5",
            "crime",
            "05/11/2025 10:00",
            "05/11/2025 11:00",
            "11311",
            "",
            "",
            "",
            "999",
            "",
            "",
        ],  # article
        [
            "B-6",
            "crime",
            "05/11/2025 10:00",
            "05/11/2025 11:00",
            "11311",
            "",
            "",
            "",
            "173",
            "-5000",
            "",
        ],  # negative
        [
            "B-7",
            "crime",
            "05/11/2025 10:00",
            "05/11/2025 11:00",
            "11311",
            "",
            "",
            "",
            "173",
            "12,5",
            "",
        ],  # fraction
        [
            "T-1",
            "crime",
            "05/11/2025 10:00",
            "05/11/2025 11:00",
            "11311",
            "",
            "",
            "",
            "173",
            "",
            "",
        ],  # duplicate
        [
            "B-9",
            "crime",
            "30/06/2025 10:00",
            "30/06/2025 11:00",
            "11311",
            "",
            "",
            "",
            "256a",
            "",
            "",
        ],  # not in force
    ]
    path = write_csv(tmp_path / "bad.csv", bad)
    user = personas["commune_officer"]
    result = incidents_import(actor=user, unit=unit_a, path=path, dry_run=True)
    found = [(p.row, p.column, p.value, p.code) for p in result.problems]
    assert found == [
        (3, "commune_code", "99999", "commune.unknown"),
        (4, "occurred_from", "11/25/2025", "date.invalid"),
        (5, "occurred_from", "06/11/2025 10:00", "date.after_reported"),
        (6, "lat", "10.5, 106.7", "point.outside"),
        (7, "articles", "999", "article.unknown"),
        (8, "losses_vnd", "-5000", "vnd.negative"),
        (9, "losses_vnd", "12,5", "vnd.fractional"),
        (10, "external_id", "T-1", "row.external_id_duplicate"),
        (11, "articles", "256a", "article.not_in_force"),
    ]
    with translation.override("en"):
        messages = {p.code: p.message for p in result.problems}
    assert (
        messages["commune.unknown"]
        == "Unknown commune code “99999”: use the 5-digit code of a commune of Hai Phong."
    )
    assert (
        messages["date.after_reported"] == "It cannot have happened after it was reported (05/11/2025 11:00)."
    )
    assert messages["row.external_id_duplicate"] == "External id T-1 is also on row 2 of this file."
    assert messages["article.not_in_force"] == "Article 256a was not in force on 30/06/2025."
    assert result.bad_rows == 9 and not result.file_problems
    assert not Incident.objects.exists() and not ImportBatch.objects.exists()


def test_a_day_month_date_is_never_read_month_first(tmp_path, personas, unit_a):
    rows = [["D-1", "crime", "05/11/2025", "05/11/2025 09:00", "11311", "", "", "", "173", "", ""]]
    result = incidents_import(
        actor=personas["commune_officer"], unit=unit_a, path=write_csv(tmp_path / "d.csv", rows)
    )
    assert result.ok
    occurred = Incident.objects.get(external_id="D-1").occurred_from.astimezone(HCM_TZ)
    assert (occurred.day, occurred.month, occurred.hour) == (5, 11, 0)


@pytest.fixture
def vietnamese_catalog(tmp_path, settings):
    """A Vietnamese catalog for a few import messages, so the test shows the reasons are
    translated when shown (the project's own catalog is maintained separately)."""
    translations = {
        "commune.unknown": "Mã xã “%(value)s” không có: dùng mã 5 chữ số của một xã, phường, đặc khu của Hải Phòng.",
        "row.external_id_duplicate": "Mã ngoài %(value)s cũng có ở dòng %(first)s của tệp này.",
    }
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "vi"}
    with translation.override("en"):
        for code, text in translations.items():
            po.append(polib.POEntry(msgid=str(MESSAGES[code]), msgstr=text))
    folder = tmp_path / "locale" / "vi" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save_as_mofile(str(folder / "django.mo"))
    settings.LOCALE_PATHS = [tmp_path / "locale", *settings.LOCALE_PATHS]
    return translations


def test_reasons_are_shown_in_the_readers_language(tmp_path, personas, unit_a, vietnamese_catalog):
    rows = [
        GOOD[0],
        ["B-1", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""],
        GOOD[0],
    ]
    result = incidents_import(
        actor=personas["commune_officer"],
        unit=unit_a,
        path=write_csv(tmp_path / "vi.csv", rows),
        dry_run=True,
    )
    with translation.override("vi"):
        vietnamese = [p.message for p in result.problems]
    with translation.override("en"):
        english = [p.message for p in result.problems]
    assert vietnamese == [
        "Mã xã “99999” không có: dùng mã 5 chữ số của một xã, phường, đặc khu của Hải Phòng.",
        "Mã ngoài T-1 cũng có ở dòng 2 của tệp này.",
    ]
    assert english == [
        "Unknown commune code “99999”: use the 5-digit code of a commune of Hai Phong.",
        "External id T-1 is also on row 2 of this file.",
    ]


def test_commit_is_all_or_nothing(tmp_path, personas, unit_a):
    rows = [
        *GOOD,
        ["B-1", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""],
    ]
    audit_before = AuditEvent.objects.count()
    result = incidents_import(
        actor=personas["commune_officer"], unit=unit_a, path=write_csv(tmp_path / "x.csv", rows)
    )
    assert not result.ok and result.batch is None
    assert not Incident.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not RecordEvent.objects.exists()
    # Nothing written, so no record of a write; the refused attempt is audited as a check.
    assert not AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_type="records.importbatch"
    ).exists()
    check = AuditEvent.objects.get(object_type="records.importbatch")
    assert check.action == AuditAction.VIEW and check.extra["outcome"] == "rejected"
    assert AuditEvent.objects.count() == audit_before + 1


def test_every_dry_run_is_audited(tmp_path, personas, unit_a):
    """Who checked which file, its size, rows and problems: one audit row per dry run, like
    the real import's (which writes the batch), even though nothing is written."""
    user = personas["commune_officer"]
    rows = [
        *GOOD,
        ["B-1", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""],
    ]
    path = write_csv(tmp_path / "check.csv", rows)
    result = incidents_import(actor=user, unit=unit_a, path=path, file_name="kiểm tra.csv", dry_run=True)
    audit = AuditEvent.objects.get(object_type="records.importbatch")
    assert audit.action == AuditAction.VIEW and audit.actor_id == user.pk
    assert audit.extra["dry_run"] is True and audit.extra["outcome"] == "checked"
    assert audit.after["file_name"] == "kiểm tra.csv" and audit.after["size"] == path.stat().st_size
    assert audit.after["sha256"] == result.sha256 and audit.after["unit"] == "CA11311"
    assert (audit.after["rows"], audit.after["problems"], audit.after["bad_rows"]) == (4, 1, 1)
    assert not ImportBatch.objects.exists()

    # A file that cannot be read at all is audited too (no rows, its file problem counted).
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    incidents_import(actor=user, unit=unit_a, path=empty, dry_run=True)
    audit = AuditEvent.objects.filter(object_type="records.importbatch").latest("pk")
    assert audit.after["file_problems"] == 1 and audit.after["rows"] == 0


def test_commit_writes_every_row_with_one_audit_row(tmp_path, personas, unit_a):
    user = personas["commune_officer"]
    result = incidents_import(actor=user, unit=unit_a, path=write_csv(tmp_path / "ok.csv", GOOD))
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    theft = Incident.objects.get(external_id="T-1")
    assert theft.number.startswith("VV-CA11311-2025-")
    assert theft.responsible_unit == unit_a and theft.created_by == user
    assert theft.losses_vnd == 12_500_000 and theft.offence_group == "property"
    assert theft.search_key == fold(f"{theft.number} 12 Lạch Tray Mất xe máy")
    assert IncidentLoss.objects.get(incident=theft).value_vnd == 12_500_000
    drugs = Incident.objects.get(external_id="T-2")
    assert drugs.commune_id == "11383"  # from the point, not from a column
    links = sorted(drugs.offence_links.values_list("offence__article", "clause", "is_main"))
    assert links == [("249", None, False), ("256a", 1, True)]
    events = RecordEvent.objects.filter(object_type="records.incident")
    assert events.count() == 3 and set(events.values_list("kind", flat=True)) == {"imported"}
    snapshot = events.get(object_id=theft.pk).snapshot
    assert (snapshot["id"], snapshot["number"], snapshot["losses_vnd"]) == (
        theft.pk,
        theft.number,
        12_500_000,
    )
    assert snapshot["occurred_from"].startswith("2025-11-05T14:30")
    audit = AuditEvent.objects.get(object_type="records.importbatch")
    assert audit.action == AuditAction.CREATE and audit.actor_id == user.pk
    assert audit.after["sha256"] == result.sha256 and audit.after["created"] == 3
    assert ImportBatch.objects.get().created == 3


def test_importing_the_same_file_again_creates_nothing(tmp_path, personas, unit_a):
    user = personas["commune_officer"]
    path = write_csv(tmp_path / "ok.csv", GOOD)
    incidents_import(actor=user, unit=unit_a, path=path)
    numbers = set(Incident.objects.values_list("number", "version"))
    again = incidents_import(actor=user, unit=unit_a, path=path)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert set(Incident.objects.values_list("number", "version")) == numbers
    assert RecordEvent.objects.count() == 3


def test_a_changed_row_updates_its_incident(tmp_path, personas, unit_a):
    user = personas["commune_officer"]
    incidents_import(actor=user, unit=unit_a, path=write_csv(tmp_path / "v1.csv", GOOD))
    changed = [list(r) for r in GOOD]
    changed[0][8] = "173/2; 323"
    changed[0][9] = "15000000"
    result = incidents_import(actor=user, unit=unit_a, path=write_csv(tmp_path / "v2.csv", changed))
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2)
    theft = Incident.objects.get(external_id="T-1")
    assert theft.version == 2 and theft.losses_vnd == 15_000_000
    assert sorted(theft.offence_links.values_list("offence__article", "clause")) == [
        ("173", 2),
        ("323", None),
    ]
    event = RecordEvent.objects.filter(object_id=theft.pk).latest("id")
    assert event.version == 2 and event.changes["losses_vnd"] == [12_500_000, 15_000_000]
    assert Incident.objects.count() == 3


def test_xlsx_with_date_and_number_cells(tmp_path, personas, unit_a):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(
        [
            "X-1",
            "crime",
            dt.datetime(2025, 11, 5, 14, 30),
            dt.datetime(2025, 11, 5, 15, 0),
            11311,
            "",
            None,
            None,
            "174",
            25000000,
            "Lừa đảo qua mạng",
        ]
    )
    sheet.append(
        ["X-2", "crime", "05/11/2025 14:30", "05/11/2025 15:00", "11311", "", None, None, "173", 1500.5, ""]
    )
    path = tmp_path / "in.xlsx"
    workbook.save(path)
    result = incidents_import(actor=personas["commune_officer"], unit=unit_a, path=path, dry_run=True)
    assert [(p.row, p.code) for p in result.problems] == [(3, "vnd.fractional")]
    sheet.delete_rows(3)
    workbook.save(path)
    result = incidents_import(actor=personas["commune_officer"], unit=unit_a, path=path)
    assert result.ok and result.format == "xlsx"
    fraud = Incident.objects.get(external_id="X-1")
    assert fraud.commune_id == "11311" and fraud.losses_vnd == 25_000_000
    assert fraud.occurred_from == dt.datetime(2025, 11, 5, 14, 30, tzinfo=HCM_TZ)


def test_a_mapping_reads_another_systems_columns(tmp_path, personas, unit_a):
    header = ["Mã vụ", "Loại", "Thời gian xảy ra", "Thời gian tiếp nhận", "Mã xã", "Điều luật", "Ghi chú"]
    rows = [["HT-77", "Tội phạm", "01/10/2025 08:00", "01/10/2025 09:00", "11311", "Điều 171", "ignored"]]
    mapping = parse_mapping(
        json.dumps(
            {
                "Mã vụ": "external_id",
                "Loại": "kind",
                "Thời gian xảy ra": "occurred_from",
                "Thời gian tiếp nhận": "reported_at",
                "Mã xã": "commune_code",
                "Điều luật": "articles",
                "Ghi chú": None,
            }
        )
    )
    path = write_csv(tmp_path / "other.csv", rows, header=header)
    result = incidents_import(actor=personas["commune_officer"], unit=unit_a, path=path, mapping=mapping)
    assert result.ok, [p.message for p in result.problems + result.file_problems]
    incident = Incident.objects.get(external_id="HT-77")
    assert incident.kind == "crime" and incident.offence_links.get().offence.article == "171"


def test_a_mapping_must_name_known_fields_and_existing_columns(tmp_path, personas, unit_a):
    with pytest.raises(FileProblem) as refused:
        parse_mapping('{"A": "victim_name"}')
    assert refused.value.problem.code == "mapping.field"
    with pytest.raises(FileProblem):
        parse_mapping("[1, 2]")
    path = write_csv(tmp_path / "ok.csv", GOOD)
    result = incidents_import(
        actor=personas["commune_officer"],
        unit=unit_a,
        path=path,
        dry_run=True,
        mapping={
            "Mã vụ": "external_id",
            "kind": "kind",
            "occurred_from": "occurred_from",
            "reported_at": "reported_at",
        },
    )
    assert [p.code for p in result.file_problems] == ["file.column_missing"]


def test_importing_for_another_unit_is_refused(tmp_path, personas, unit_a):
    path = write_csv(tmp_path / "ok.csv", GOOD)
    with pytest.raises(RecordError):
        incidents_import(actor=personas["other_commune_officer"], unit=unit_a, path=path)
    with pytest.raises(RecordError):
        incidents_import(actor=personas["analyst"], unit=unit_a, path=path)
    rows = [[*GOOD[0][:10], "x"]]
    header = [*HEADER[:10], "unit_code"]
    rows[0][10] = "CA11329"
    result = incidents_import(
        actor=personas["commune_officer"],
        unit=unit_a,
        path=write_csv(tmp_path / "u.csv", rows, header=header),
        dry_run=True,
    )
    assert [(p.column, p.code) for p in result.problems] == [("unit_code", "unit.refused")]


def test_an_incident_of_another_unit_cannot_be_changed_through_its_external_id(tmp_path, personas, unit_a):
    """An incident the importer sees (here: in their commune) but whose unit they do not act
    for is named with its unit, which they can read anyway."""
    pc02 = Unit.objects.active().get(code="PC02")
    incidents_import(actor=personas["investigator"], unit=pc02, path=write_csv(tmp_path / "ok.csv", GOOD[:1]))
    changed = [list(GOOD[0])]
    changed[0][10] = "changed by another unit"
    result = incidents_import(
        actor=personas["commune_officer"],
        unit=unit_a,
        path=write_csv(tmp_path / "c.csv", changed),
        dry_run=True,
    )
    assert [p.code for p in result.problems] == ["row.other_unit"]
    assert "PC02" in result.problems[0].message


@pytest.mark.parametrize("dry_run", [True, False])
@pytest.mark.parametrize("same", [True, False], ids=["same-row", "changed-row"])
def test_an_external_id_outside_the_importers_scope_reveals_nothing(
    tmp_path, personas, unit_a, dry_run, same
):
    """Rows are matched only with incidents the importer may see (the records' visibility
    rule). An external id held by an incident they cannot see is a problem of its row whose
    message names no unit, commune or number, and which is the same whether the row equals
    the hidden incident or not (no counting it as unchanged: that would read its fields)."""
    incidents_import(
        actor=personas["commune_officer"], unit=unit_a, path=write_csv(tmp_path / "ok.csv", GOOD)
    )
    hidden = Incident.objects.get(external_id="T-1")
    other = personas["other_commune_officer"]
    unit_b = Unit.objects.get(pk=other.unit_id)
    row = list(GOOD[0])
    row[4] = "11329"  # a row of the other commune, with the same external id
    if not same:
        row[10] = "something else"
    else:
        row[4] = GOOD[0][4]
    result = incidents_import(
        actor=other, unit=unit_b, path=write_csv(tmp_path / "probe.csv", [row]), dry_run=dry_run
    )
    assert [(p.row, p.column, p.code) for p in result.problems] == [
        (2, "external_id", "row.external_id_unavailable")
    ]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    message = result.problems[0].message
    for secret in ("CA11311", "11311", "Hồng Bàng", hidden.number, str(hidden.pk)):
        assert secret not in message
    for language in ("vi", "en"):
        with translation.override(language):
            assert "CA11311" not in result.problems[0].message
    hidden.refresh_from_db()
    assert hidden.version == 1 and Incident.objects.count() == 3
    assert ImportBatch.objects.count() == 1  # the first import's only


def test_an_incident_number_outside_the_importers_scope_is_only_taken(tmp_path, personas, unit_a):
    incidents_import(
        actor=personas["commune_officer"], unit=unit_a, path=write_csv(tmp_path / "ok.csv", GOOD)
    )
    hidden = Incident.objects.get(external_id="T-1")
    other = personas["other_commune_officer"]
    header = ["number", *HEADER[1:]]
    row = [hidden.number, *GOOD[0][1:]]
    result = incidents_import(
        actor=other,
        unit=Unit.objects.get(pk=other.unit_id),
        path=write_csv(tmp_path / "n.csv", [row], header=header),
        dry_run=True,
    )
    assert [p.code for p in result.problems] == ["row.number_taken"]
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)


def test_the_command_checks_then_imports(tmp_path, personas, capsys):
    path = write_csv(tmp_path / "ok.csv", GOOD)
    call_command("import_incidents", str(path), "--unit", "CA11311", "--dry-run", "--no-progress")
    assert not Incident.objects.exists()
    call_command(
        "import_incidents", str(path), "--unit", "CA11311", "--as", "p_commune_officer", "--no-progress"
    )
    assert Incident.objects.count() == 3
    assert ImportBatch.objects.get().created_by.username == "p_commune_officer"
    bad = write_csv(
        tmp_path / "bad.csv", [["B", "crime", "x", "05/11/2025 11:00", "11311", "", "", "", "173", "", ""]]
    )
    with pytest.raises(CommandError, match="nothing written"):
        call_command("import_incidents", str(bad), "--unit", "CA11311", "--no-progress", "--language", "en")
    assert "occurred_from\tx\tWrite the date as dd/mm/yyyy" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command(
            "import_incidents", str(path), "--unit", "CA11329", "--as", "p_commune_officer", "--no-progress"
        )


def test_the_command_takes_a_json_mapping(tmp_path, personas):
    path = write_csv(
        tmp_path / "other.csv",
        [["M-1", "crime", "01/10/2025 08:00", "01/10/2025 09:00", "11311", "173"]],
        header=["id", "loai", "xay_ra", "tiep_nhan", "xa", "dieu"],
    )
    mapping = tmp_path / "map.json"
    mapping.write_text(
        json.dumps(
            {
                "id": "external_id",
                "loai": "kind",
                "xay_ra": "occurred_from",
                "tiep_nhan": "reported_at",
                "xa": "commune_code",
                "dieu": "articles",
            }
        )
    )
    call_command(
        "import_incidents", str(path), "--unit", "CA11311", "--mapping", str(mapping), "--no-progress"
    )
    assert Incident.objects.get(external_id="M-1").created_by == system_user()


def test_fast_text_helpers_match_the_library():
    from anninh.lib.text import fold, normalize

    samples = [
        "  Phường  Hồng Bàng ",
        "Hoà Bình, thuỷ  lợi",
        "VV-CA11311-2025-000001 ĐẶC KHU Bạch Long Vĩ",
        "café où",
        "",
    ]
    for text in samples:
        assert fast_fold(text) == fold(text)
        assert fast_normalize(text) == normalize(text)


def test_the_point_index_agrees_with_the_commune_lookup():
    import random

    from anninh.geo.lookup import commune_at
    from anninh.records.services.io_checks import PointIndex

    rng = random.Random(1)
    points = [(rng.uniform(20.4, 21.3), rng.uniform(105.9, 107.9)) for _ in range(1500)]
    points += [(20.8449, 106.6881), (20.86, 106.68), (10.0, 106.0)]
    assert PointIndex().communes(points) == [commune_at(lat, lon) for lat, lon in points]


def test_checking_in_a_worker_process_gives_the_same_result(tmp_path, personas, unit_a):
    bad = [
        *GOOD,
        ["B-1", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""],
        GOOD[1],
    ]
    path = write_csv(tmp_path / "p.csv", bad)
    user = personas["commune_officer"]
    alone = incidents_import(actor=user, unit=unit_a, path=path, dry_run=True, parallel=False, batch_size=2)
    forked = incidents_import(actor=user, unit=unit_a, path=path, dry_run=True, parallel=True, batch_size=2)
    assert [(p.row, p.code) for p in forked.problems] == [(p.row, p.code) for p in alone.problems] != []
    result = incidents_import(
        actor=user, unit=unit_a, path=write_csv(tmp_path / "ok.csv", GOOD), parallel=True, batch_size=2
    )
    assert result.ok and Incident.objects.count() == 3


def _bad_rows(count: int) -> list[list[str]]:
    return [
        [f"B-{i}", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""]
        for i in range(count)
    ]


def test_an_import_from_the_page_stops_past_its_row_cap(tmp_path, personas, unit_a, settings):
    settings.ANNINH_IMPORT_MAX_ROWS = 2
    user = personas["commune_officer"]
    path = write_csv(tmp_path / "big.csv", GOOD)
    for via in ("page", "api"):
        result = incidents_import(actor=user, unit=unit_a, path=path, via=via, batch_size=1)
        assert [p.code for p in result.file_problems] == ["file.too_many_rows"]
        assert "2" in result.file_problems[0].message and result.rows == 2
    assert not Incident.objects.exists()
    # The command line has no cap unless given one.
    assert incidents_import(actor=user, unit=unit_a, path=path, dry_run=True).ok
    capped = incidents_import(actor=user, unit=unit_a, path=path, dry_run=True, max_rows=1)
    assert [p.code for p in capped.file_problems] == ["file.too_many_rows"]


def test_the_check_stops_after_too_many_problems(tmp_path, personas, unit_a, settings):
    settings.ANNINH_IMPORT_MAX_PROBLEMS = 3
    path = write_csv(tmp_path / "bad.csv", _bad_rows(20))
    result = incidents_import(
        actor=personas["commune_officer"], unit=unit_a, path=path, dry_run=True, batch_size=2, via="page"
    )
    assert [p.code for p in result.file_problems] == ["file.too_many_problems"]
    assert "3" in result.file_problems[0].message
    assert [p.row for p in result.problems] == [2, 3, 4]  # the first ones, in file order
    assert result.rows < 20  # it stopped reading


def _zip_bomb(path, rows: int):
    """An XLSX whose one sheet holds `rows` identical rows: a few kilobytes that openpyxl
    would expand to megabytes of XML (the 111 KB file that became 250,000 rows)."""
    import zipfile
    from io import BytesIO

    from openpyxl import Workbook

    buffer = BytesIO()
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.save(buffer)
    row = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in GOOD[0])
    with (
        zipfile.ZipFile(BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                head, _sep, tail = data.decode().partition("</row>")
                data = (head + "</row>" + f"<row>{row}</row>" * rows + tail).encode()
            out.writestr(info.filename, data)
    return path


def test_an_xlsx_that_expands_too_much_is_not_opened(tmp_path, personas, unit_a, settings):
    user = personas["commune_officer"]
    bomb = _zip_bomb(tmp_path / "bomb.xlsx", 20_000)
    assert bomb.stat().st_size < 200_000
    result = incidents_import(actor=user, unit=unit_a, path=bomb, dry_run=True, via="page")
    assert [p.code for p in result.file_problems] == ["file.expands"] and result.rows == 0
    # A cap on the expanded size too, whatever the ratio.
    settings.ANNINH_IMPORT_MAX_XLSX_BYTES = 1000
    small = _zip_bomb(tmp_path / "small.xlsx", 1)
    result = incidents_import(actor=user, unit=unit_a, path=small, dry_run=True)
    assert [p.code for p in result.file_problems] == ["file.expands"]
    settings.ANNINH_IMPORT_MAX_XLSX_BYTES = 10 * 1024 * 1024
    # Its sheet declares only the header row (<dimension ref="A1:K1">): every row is read all
    # the same, not silently dropped as openpyxl's read-only mode would.
    assert incidents_import(actor=user, unit=unit_a, path=small, dry_run=True).rows == 1


def test_the_command_shows_progress_of_the_whole_file_and_takes_caps(tmp_path, personas):
    import io

    path = write_csv(tmp_path / "ok.csv", GOOD)
    err = io.StringIO()
    call_command(
        "import_incidents", str(path), "--unit", "CA11311", "--dry-run", stderr=err, stdout=io.StringIO()
    )
    assert "3/3" in err.getvalue()  # the bar knows the file's rows from the start
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing written"):
        call_command(
            "import_incidents",
            str(path),
            "--unit",
            "CA11311",
            "--max-rows",
            "2",
            "--no-progress",
            "--language",
            "en",
            stderr=err,
            stdout=io.StringIO(),
        )
    assert "more than 2 rows" in err.getvalue()
    assert not Incident.objects.exists()


def test_values_in_reads_the_same_rows_as_the_orm(tmp_path, personas, unit_a):
    """The key lookups of the import (one array parameter on PostgreSQL, chunks of
    placeholders on SQLite) find exactly the rows the ORM finds, one column or several."""
    from anninh.records.services.io_fast import values_in

    incidents_import(
        actor=personas["commune_officer"], unit=unit_a, path=write_csv(tmp_path / "ok.csv", GOOD)
    )
    keys = ["T-1", "T-3", "NONE", "t-2"]
    assert sorted(values_in(Incident, "external_id", keys, "external_id")) == ["T-1", "T-3"]
    expected = sorted(Incident.objects.filter(external_id__in=keys).values_list("external_id", "id"))
    assert sorted(values_in(Incident, "external_id", keys, "external_id", "id")) == expected
    assert values_in(Incident, "external_id", [], "id") == []
    assert values_in(Incident, "external_id", ["NONE"], "id") == []


def test_a_bulk_import_keeps_every_guarantee_and_the_audit_chain(tmp_path, personas, unit_a):
    """On whichever database the tests run (SQLite, or PostgreSQL's COPY path with
    DATABASE_URL): a dry run writes nothing, a bad row makes nothing commit, the import writes
    its rows with one audit row, a second run changes nothing, the audit chain verifies and
    the monthly counts equal a recount."""
    from anninh.audit.services import audit_chain_verify
    from anninh.compstat import aggregates

    user = personas["commune_officer"]
    rows = [
        *GOOD,
        *(
            [f"B-{i}", "crime", "04/11/2025 09:00", "04/11/2025 10:00", "11311", f"{i} Lạch Tray", "", "",
             "173/1", str(1000 * i), "Mất tài sản"]
            for i in range(2, 40)
        ),
    ]  # fmt: skip
    path = write_csv(tmp_path / "bulk.csv", rows)
    before = (Incident.objects.count(), RecordEvent.objects.count(), ImportBatch.objects.count())

    dry = incidents_import(actor=user, unit=unit_a, path=path, dry_run=True, batch_size=7)
    assert dry.ok and dry.created == len(rows) and dry.batch is None
    assert (Incident.objects.count(), RecordEvent.objects.count(), ImportBatch.objects.count()) == before

    bad = write_csv(tmp_path / "bad.csv", [*rows, ["X-1", "crime", "05/11/2025 10:00", "", "99999"]])
    refused = incidents_import(actor=user, unit=unit_a, path=bad, batch_size=7)
    assert not refused.ok and refused.batch is None
    assert (Incident.objects.count(), RecordEvent.objects.count(), ImportBatch.objects.count()) == before

    done = incidents_import(actor=user, unit=unit_a, path=path, batch_size=7)
    assert done.ok and (done.created, done.updated, done.unchanged) == (len(rows), 0, 0)
    assert Incident.objects.count() == before[0] + len(rows)
    assert RecordEvent.objects.filter(kind="imported").count() == len(rows)
    assert len(set(Incident.objects.values_list("number", flat=True))) == Incident.objects.count()
    assert (
        AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="records.importbatch").count() == 1
    )

    again = incidents_import(actor=user, unit=unit_a, path=path, batch_size=7)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, len(rows))
    assert RecordEvent.objects.filter(kind="imported").count() == len(rows)

    verified = audit_chain_verify()
    assert verified.ok, verified.reason
    assert verified.checked == AuditEvent.objects.count()
    assert aggregates.verify() == []

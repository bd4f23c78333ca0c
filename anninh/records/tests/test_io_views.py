"""Import and export pages and the export API: the permission matrix of each, and the import
page's steps (upload, dry run with the bad rows, mapping, commit)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.models import ImportBatch, Incident
from anninh.records.tests.test_io_import import GOOD, HEADER
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Personas get passwords; the production hasher would spend seconds on them."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


READERS = {
    "commander": 200,
    "analyst": 200,
    "investigator": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
    "fire_rescue": 200,
}
NON_READERS = {"public_relations": 403, "auditor": 403, "administrator": 403, "no_role": 403}


def csv_bytes(rows, header=HEADER) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_import_page_matrix(personas):
    check_matrix(
        reverse("records:import"),
        {
            "anonymous": LOGIN,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "investigator": 200,
            "commander": 403,
            "analyst": 403,
            "fire_rescue": 403,
            **NON_READERS,
        },
        personas=personas,
    )


def test_export_page_matrix(personas):
    check_matrix(reverse("records:export"), {"anonymous": LOGIN, **READERS, **NON_READERS}, personas=personas)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_export_download_matrix(personas, fmt):
    check_matrix(
        reverse("records:export") + f"?format={fmt}",
        {"anonymous": LOGIN, **READERS, **NON_READERS},
        personas=personas,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson"])
def test_export_api_matrix(personas, fmt):
    check_matrix(
        f"/api/records/io/incidents.{fmt}",
        {"anonymous": UNAUTHORIZED, **READERS, **NON_READERS},
        personas=personas,
    )


def test_export_api_refuses_bad_filters(personas):
    client = client_for(personas["commander"])
    assert client.get("/api/records/io/incidents.csv?date_from=2025-13-45").status_code == 422
    assert client.get("/api/records/io/incidents.csv?commune=abc").status_code == 422
    assert client.get(reverse("records:export") + "?format=pdf").status_code == 400


def test_import_for_another_unit_is_refused_and_audited(personas):
    from anninh.org.models import Unit

    other = Unit.objects.active().get(code="CA11329")
    client = client_for(personas["commune_officer"])
    response = client.post(
        reverse("records:import"),
        {
            "action": "upload",
            "unit": other.pk,
            "file": SimpleUploadedFile("a.csv", csv_bytes(GOOD), "text/csv"),
        },
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor_id=personas["commune_officer"].pk
    ).exists()
    assert not Incident.objects.exists()


def test_import_page_checks_shows_bad_rows_then_commits(personas, settings, tmp_path):
    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    user = personas["commune_officer"]
    client = client_for(user)
    client.cookies["django_language"] = "en"
    unit_id = user.unit_id
    bad = [
        GOOD[0],
        ["B-1", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""],
    ]
    response = client.post(
        reverse("records:import"),
        {
            "action": "upload",
            "unit": unit_id,
            "file": SimpleUploadedFile("bad.csv", csv_bytes(bad), "text/csv"),
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Unknown commune code “99999”" in page and 'value="commit"' not in page
    result = response.context["result"]
    assert [(p.row, p.column) for p in result.problems] == [(3, "commune_code")]

    # The file is fixed and uploaded again: every row correct, then committed.
    response = client.post(
        reverse("records:import"),
        {
            "action": "upload",
            "unit": unit_id,
            "file": SimpleUploadedFile("ok.csv", csv_bytes(GOOD), "text/csv"),
        },
    )
    assert response.context["result"].ok and 'value="commit"' in response.content.decode()
    token = response.context["token"]
    assert not Incident.objects.exists()
    mapping = {f"map_{field}": field for field in HEADER}
    response = client.post(
        reverse("records:import"),
        {"action": "commit", "unit": unit_id, "token": token, "file_name": "ok.csv", **mapping},
    )
    assert response.status_code == 302
    assert Incident.objects.count() == 3 and ImportBatch.objects.get().file_name == "ok.csv"
    assert not (tmp_path / str(user.pk) / token).exists()


def test_import_page_mapping_can_be_changed_and_checked_again(personas, settings, tmp_path):
    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    user = personas["investigator"]
    client = client_for(user)
    header = ["ma", *HEADER[1:]]
    response = client.post(
        reverse("records:import"),
        {
            "action": "upload",
            "unit": user.unit_id,
            "file": SimpleUploadedFile("x.csv", csv_bytes(GOOD, header=header), "text/csv"),
        },
    )
    assert [p.code for p in response.context["result"].file_problems] == ["file.key_required"]
    mapping = {f"map_{field}": field for field in HEADER[1:]}
    response = client.post(
        reverse("records:import"),
        {
            "action": "check",
            "unit": user.unit_id,
            "token": response.context["token"],
            "file_name": "x.csv",
            "map_external_id": "ma",
            **mapping,
        },
    )
    result = response.context["result"]
    assert result.ok and result.created == 3 and result.dry_run
    assert not Incident.objects.exists()
    problems = client.post(
        reverse("records:import"),
        {
            "action": "problems",
            "unit": user.unit_id,
            "token": response.context["token"],
            "file_name": "x.csv",
        },
    )
    assert problems["Content-Type"].startswith("text/csv")


def test_a_stale_token_asks_for_the_file_again(personas, settings, tmp_path):
    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    user = personas["commune_officer"]
    response = client_for(user).post(
        reverse("records:import"), {"action": "commit", "unit": user.unit_id, "token": "0" * 64 + ".csv"}
    )
    assert response.status_code == 302


FORMULAS = ['=HYPERLINK("http://x.example","bấm")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]


def test_the_problems_csv_neutralises_formulas(personas, settings, tmp_path):
    """Every cell of the problems CSV that a spreadsheet would run (=, +, -, @, tab, CR)
    gets the apostrophe the other exports give it, whatever part of a problem it is in."""
    import csv as csv_module

    from anninh.records.services.io_formats import Problem
    from anninh.records.services.io_import import ImportResult
    from anninh.records.views.io import _problems_csv

    result = ImportResult(file_name="x.csv", sha256="0" * 64)
    result.file_problems = [
        Problem(code="file.column_missing", column=FORMULAS[0], params=(("column", "x"),))
    ]
    result.problems = [Problem(code="kind.unknown", row=2, column=f, value=f) for f in FORMULAS]
    text = _problems_csv(result).content.decode("utf-8-sig")
    rows = list(csv_module.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row[1:3] if cell]
    assert len(cells) == 1 + 2 * len(FORMULAS)
    assert all(cell.startswith("'") for cell in cells), cells
    assert {cell[1:] for cell in cells} == set(FORMULAS)

    # Through the page: a value typed as a formula comes back neutralised.
    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    user = personas["commune_officer"]
    client = client_for(user)
    bad = [[*GOOD[0][:4], FORMULAS[0], *GOOD[0][5:]]]
    response = client.post(
        reverse("records:import"),
        {
            "action": "upload",
            "unit": user.unit_id,
            "file": SimpleUploadedFile("f.csv", csv_bytes(bad), "text/csv"),
        },
    )
    problems = client.post(
        reverse("records:import"),
        {
            "action": "problems",
            "unit": user.unit_id,
            "token": response.context["token"],
            "file_name": "f.csv",
            **{f"map_{field}": field for field in HEADER},
        },
    )
    rows = list(csv_module.reader(io.StringIO(problems.content.decode("utf-8-sig"))))
    assert rows[1][2] == "'" + FORMULAS[0]


def _upload(client, user, rows, name="big.csv"):
    return client.post(
        reverse("records:import"),
        {
            "action": "upload",
            "unit": user.unit_id,
            "file": SimpleUploadedFile(name, csv_bytes(rows), "text/csv"),
        },
    )


def test_a_large_file_is_checked_then_imported_by_a_background_job(personas, settings, tmp_path):
    """From BACKGROUND_FROM rows the page hands the file to a job (the immediate task backend
    runs it at once here) and shows its page; the dry run, the all-or-nothing commit and the
    idempotent re-run are the import's own."""
    from anninh.records.models import ImportJob

    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    settings.ANNINH_IMPORT_BACKGROUND_FROM = 2
    user = personas["commune_officer"]
    client = client_for(user)
    client.cookies["django_language"] = "en"
    response = _upload(client, user, GOOD)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "records:import_job", args=[job.pk]
    )
    assert job.status == "done" and job.dry_run and job.rows_total == 3 and job.result["created"] == 3
    assert not Incident.objects.exists()
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'value="commit"' in html and "every 2s" not in html  # finished: no more polling
    assert page.context["result"].ok
    check = AuditEvent.objects.filter(object_type="records.importbatch").get()
    assert check.action == AuditAction.VIEW and check.extra["via"] == "job"

    mapping = {f"map_{field}": field for field in HEADER}
    token = page.context["token"]
    response = client.post(
        reverse("records:import"),
        {"action": "commit", "unit": user.unit_id, "token": token, "file_name": "big.csv", **mapping},
    )
    job = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("records:import_job", args=[job.pk])
    assert job.status == "done" and not job.dry_run and job.batch == ImportBatch.objects.get()
    assert Incident.objects.count() == 3 and not (tmp_path / str(user.pk) / token).exists()
    assert "Imported as batch" in client.get(response["Location"]).content.decode()

    # The same file again, through a job: nothing new.
    _upload(client, user, GOOD)
    page = client.get(reverse("records:import_job", args=[ImportJob.objects.latest("pk").pk]))
    assert (page.context["result"].created, page.context["result"].unchanged) == (0, 3)

    # Somebody else's job is not found.
    other = client_for(personas["investigator"])
    assert other.get(reverse("records:import_job", args=[job.pk])).status_code == 404
    assert other.get(reverse("records:import_job_problems", args=[job.pk])).status_code == 404


def test_a_running_job_shows_its_progress_and_is_polled(personas, settings, tmp_path):
    from anninh.records.models import ImportJob
    from anninh.records.services import io_jobs

    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    user = personas["commune_officer"]
    job = ImportJob.objects.create(
        unit_id=user.unit_id, created_by=user, token="0" * 64 + ".csv", file_name="big.csv", status="running"
    )
    io_jobs._write_progress(io_jobs._progress_file(job), 2000, 5000)
    client = client_for(user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("records:import_job", args=[job.pk])).content.decode()
    assert "2000 of 5000 rows" in html and 'value="40"' in html and 'hx-trigger="every 2s"' in html
    # htmx asks for the fragment only.
    fragment = client.get(reverse("records:import_job", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="import-job"')


def test_a_background_job_lists_its_problems_and_downloads_them(personas, settings, tmp_path):
    from anninh.records.models import ImportJob

    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    settings.ANNINH_IMPORT_BACKGROUND_FROM = 1
    user = personas["commune_officer"]
    client = client_for(user)
    client.cookies["django_language"] = "en"
    bad = [[*GOOD[0][:4], FORMULAS[0], *GOOD[0][5:]], GOOD[1]]
    page = client.get(_upload(client, user, bad)["Location"])
    html = page.content.decode()
    assert "Unknown commune code" in html and 'value="commit"' not in html
    job = ImportJob.objects.get()
    import csv

    download = client.get(reverse("records:import_job_problems", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[1][0] == "2" and rows[1][2] == "'" + FORMULAS[0]


def test_a_job_of_a_user_who_lost_the_unit_fails_without_writing(personas, settings, tmp_path):
    from anninh.records.models import ImportJob
    from anninh.records.services import io_jobs

    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    user = personas["commune_officer"]
    other_unit = personas["other_commune_officer"].unit_id
    folder = io_jobs.staging_dir(user)
    (folder / ("a" * 64 + ".csv")).write_bytes(csv_bytes(GOOD))
    job = ImportJob.objects.create(
        unit_id=other_unit, created_by=user, token="a" * 64 + ".csv", file_name="x.csv", dry_run=False
    )
    assert io_jobs.import_job_run(job.pk) == "failed"
    assert io_jobs.import_job_run(job.pk) == "failed"  # a second delivery finds it taken
    assert not Incident.objects.exists()
    client = client_for(user)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("records:import_job", args=[job.pk])).content.decode()
    assert "every 2s" not in html and "You cannot import incidents for this unit." in html
    # A job whose staged file is gone says so.
    gone = ImportJob.objects.create(
        unit_id=user.unit_id, created_by=user, token="b" * 64 + ".csv", file_name="y.csv"
    )
    assert io_jobs.import_job_run(gone.pk) == "failed"
    assert "upload it again" in client.get(reverse("records:import_job", args=[gone.pk])).content.decode()


def test_an_xlsx_goes_to_a_job_by_the_rows_it_declares(personas, settings, tmp_path):
    """The page decides from the sheet's declared size, without loading the workbook."""
    from openpyxl import Workbook

    from anninh.records.models import ImportJob
    from anninh.records.services.io_formats import declared_rows

    settings.ANNINH_IMPORT_STAGING = str(tmp_path)
    settings.ANNINH_IMPORT_BACKGROUND_FROM = 3
    workbook = Workbook()
    workbook.active.append(HEADER)
    for row in GOOD:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "x.xlsx"
    path.write_bytes(buffer.getvalue())
    assert declared_rows(path) == 3
    user = personas["commune_officer"]
    response = client_for(user).post(
        reverse("records:import"),
        {"action": "upload", "unit": user.unit_id, "file": SimpleUploadedFile("x.xlsx", buffer.getvalue())},
    )
    assert response.status_code == 302 and ImportJob.objects.get().result["created"] == 3

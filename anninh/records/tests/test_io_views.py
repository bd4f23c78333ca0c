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

"""CompStat reports: the PDF (A4, Vietnamese names intact), the command, the scheduler's
idempotence, who may make and read which report."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from anninh.audit.models import AuditEvent
from anninh.compstat.periods import Period
from anninh.compstat.selectors import compstat_summary
from anninh.compstat.tests.test_golden import world  # noqa: F401
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.reports.models import Report
from anninh.reports.services import SYSTEM, ReportError, report_generate, reports_run_due
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() for page in reader.pages))


LE_CHAN = "11383"


@pytest.fixture
def le_chan_crime(world):  # noqa: F811
    """One more December crime, in Phường Lê Chân, so three wards are named in the report."""
    from anninh.records.tests.test_incidents_factories import local, record, unit_id

    return record(
        world["investigator"],
        commune=LE_CHAN,
        responsible_unit_id=unit_id("PC02"),
        occurred_from=local(2025, 12, 10, 9),
        reported_at=local(2025, 12, 10, 10),
    )


def test_monthly_pdf_is_a4_and_names_the_wards_with_their_diacritics(world, le_chan_crime):  # noqa: F811
    report, created = report_generate(
        actor=world["commander"], kind="month", period=Period.month(2025, 12), language="vi"
    )
    assert created and bytes(report.pdf).startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(bytes(report.pdf)))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(bytes(report.pdf))
    for name in ("Phường Hồng Bàng", "Phường Ngô Quyền", "Phường Lê Chân"):
        assert unicodedata.normalize("NFC", name) in text
    assert "Báo cáo CompStat tháng" in text  # the title, in Vietnamese
    pages = len(reader.pages)
    assert f"{unicodedata.normalize('NFC', report.title)} · {pages}/{pages}" in text  # page footer
    assert report.digest == hashlib.sha256(bytes(report.pdf)).hexdigest()
    assert AuditEvent.objects.filter(action="create", object_id=str(report.pk)).exists()


def test_report_shows_the_numbers_of_the_compstat_selector(world, le_chan_crime):  # noqa: F811
    period = Period.month(2025, 12)
    report, _ = report_generate(actor=world["commander"], kind="month", period=period, language="en")
    summary = compstat_summary(viewer=world["commander"], period=period)
    html = report.html
    assert summary.by_group and summary.by_commune  # the fixture has crimes to show
    for row in summary.by_group:
        assert (
            f'<td>{row.label}</td><td class="num">{row.current}</td><td class="num">{row.previous}</td>'
            in html
        )
    for row in summary.by_commune:
        assert f'<td>{row.label}</td><td class="num">{row.current}</td>' in html
    total = summary.total
    assert f'<th class="num">{total.current}</th><th class="num">{total.previous}</th>' in html
    clearance = summary.clearance_total
    assert f'<th class="num">{clearance.occurred}</th><th class="num">{clearance.cleared}</th>' in html
    # The same figures reach the PDF: the total crimes card.
    assert f"Crimes\n{total.current}vs previous" in pdf_text(bytes(report.pdf))


def test_english_report_is_in_english(world):  # noqa: F811
    report, _ = report_generate(
        actor=world["commander"], kind="week", period=Period.week(2025, 51), language="en"
    )
    text = pdf_text(bytes(report.pdf))
    assert report.title.startswith("Weekly CompStat report, ") and "Crimes by offence group" in text
    assert "Tội phạm" not in text


def test_asking_again_returns_the_stored_report(world):  # noqa: F811
    first, created = report_generate(
        actor=world["commander"], kind="week", period=Period.week(2025, 50), language="en"
    )
    again, created_again = report_generate(
        actor=world["analyst"], kind="week", period=Period.week(2025, 50), language="en"
    )
    assert created and not created_again and first.pk == again.pk
    _replaced, made = report_generate(
        actor=world["commander"], kind="week", period=Period.week(2025, 50), language="en", replace=True
    )
    assert made and Report.objects.count() == 1


def test_commune_officer_makes_only_their_communes_report(world):  # noqa: F811
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        report_generate(actor=world["commune_officer"], kind="month", period=Period.month(2025, 12))
    with pytest.raises(PermissionDenied):
        report_generate(
            actor=world["commune_officer"], kind="month", period=Period.month(2025, 12), commune=COMMUNE_B
        )
    own, _ = report_generate(
        actor=world["commune_officer"], kind="month", period=Period.month(2025, 12), commune=COMMUNE_A
    )
    assert "Phường Hồng Bàng" in pdf_text(bytes(own.pdf))


def test_command_writes_the_pdf(world, tmp_path):  # noqa: F811
    target = tmp_path / "w.pdf"
    call_command(
        "compstat_report", "--week", "2025-W49", "--pdf", str(target), "--html", str(tmp_path / "w.html")
    )
    assert target.read_bytes().startswith(b"%PDF")
    assert "Phường Hồng Bàng" in (tmp_path / "w.html").read_text(encoding="utf-8")
    with pytest.raises(CommandError, match="week"):
        call_command("compstat_report", "--week", "2025-W60")
    with pytest.raises(CommandError):
        call_command("compstat_report", "--week", "47/2025")
    assert Report.objects.count() == 1  # the bad requests made nothing


def test_command_makes_a_communes_report_in_english(world, tmp_path):  # noqa: F811
    target = tmp_path / "m.pdf"
    call_command(
        "compstat_report", "--month", "2025-12", "--lang", "en", "--commune", COMMUNE_A, "--pdf", str(target)
    )
    report = Report.objects.get()
    assert (report.commune_code, report.language, report.source) == (COMMUNE_A, "en", "command")
    assert target.read_bytes() == bytes(report.pdf)
    with pytest.raises(CommandError):
        call_command("compstat_report", "--month", "2025-12", "--commune", "99999")


def test_scheduler_is_idempotent(world):  # noqa: F811
    with time_machine.travel(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)):  # Monday 5/1/2026, 08:00 local
        made = reports_run_due()
        again = reports_run_due()
    assert [c for _, c in made] == [True, True] and [c for _, c in again] == [False, False]
    slugs = sorted(Report.objects.values_list("slug", flat=True))
    assert slugs == ["2025-12", "2026-W01"]
    week = Report.objects.get(slug="2026-W01")
    assert week.generated_by is None and week.source == "schedule"


def test_task_runs_inline(world):  # noqa: F811
    from anninh.reports.tasks import weekly_report_task

    with time_machine.travel(dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)):
        result = weekly_report_task.enqueue()
    assert len(result.return_value) == 2


def test_pages_permission_matrix(world):  # noqa: F811
    report, _ = report_generate(actor=SYSTEM, kind="week", period=Period.week(2025, 50))
    own, _ = report_generate(actor=SYSTEM, kind="week", period=Period.week(2025, 50), commune=COMMUNE_A)
    readers = {"commander": 200, "analyst": 200, "commune_officer": 200, "other_commune_officer": 200}
    refused = {
        "investigator": 403,
        "fire_rescue": 403,
        "public_relations": 403,
        "auditor": 403,
        "administrator": 403,
        "no_role": 403,
    }
    check_matrix("/reports/", {"anonymous": LOGIN, **readers, **refused}, personas=world)
    city = {"commander": 200, "analyst": 200, "commune_officer": 404, "other_commune_officer": 404}
    check_matrix(f"/reports/{report.pk}/pdf/", {"anonymous": LOGIN, **city, **refused}, personas=world)
    commune_a = {"commander": 200, "analyst": 200, "commune_officer": 200, "other_commune_officer": 404}
    check_matrix(f"/reports/{own.pk}/", {"anonymous": LOGIN, **commune_a, **refused}, personas=world)
    shown = client_for(world["commune_officer"]).get(f"/reports/{own.pk}/").content.decode()
    assert f'href="/reports/{own.pk}/pdf/"' in shown and f'href="/reports/{own.pk}/pdf/"' not in own.html
    check_matrix("/api/reports/", {"anonymous": UNAUTHORIZED, **readers, **refused}, personas=world)
    listed = client_for(world["commune_officer"]).get("/api/reports/").json()
    assert [r["id"] for r in listed["results"]] == [own.pk]
    # Reading a report is audited.
    assert AuditEvent.objects.filter(action="export", object_id=str(report.pk)).exists()


def test_make_a_report_from_the_page(world):  # noqa: F811
    client = client_for(world["commander"])
    response = client.post("/reports/new/", {"kind": "month", "period": "2025-12", "language": "vi"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert response["Location"] == f"/reports/{report.pk}/"
    bad = client.post("/reports/new/", {"kind": "month", "period": "12/2025"}, follow=True)
    assert "Enter the month as YYYY-MM" in bad.content.decode()
    officer = client_for(world["other_commune_officer"])
    officer.post("/reports/new/", {"kind": "week", "period": "2025-W50"})
    assert Report.objects.filter(commune_code=COMMUNE_B).exists()


def test_list_page_shows_past_reports_with_download_links(world, django_assert_max_num_queries):  # noqa: F811
    reports = [
        report_generate(actor=SYSTEM, kind="week", period=Period.week(2025, w), source="schedule")[0]
        for w in (49, 50, 51)
    ]
    client = client_for(world["analyst"])
    with django_assert_max_num_queries(12):
        page = client.get("/reports/").content.decode()
    for report in reports:
        assert report.title in page
        assert f'href="/reports/{report.pk}/pdf/"' in page
    assert page.index(reports[2].title) < page.index(reports[0].title)  # newest period first


def test_list_page_says_what_to_do_when_empty(world):  # noqa: F811
    with time_machine.travel(dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)):  # Monday 23/11/2026
        page = client_for(world["commune_officer"]).get("/reports/").content.decode()
    assert "No report yet" in page
    assert 'value="2026-W47"' in page  # last complete week, ready to make


def test_scheduler_makes_the_monthly_report_on_the_first(world):  # noqa: F811
    with time_machine.travel(dt.datetime(2025, 12, 1, 2, 0, tzinfo=dt.UTC)):  # Monday 1/12/2025
        reports_run_due()
        reports_run_due()
    assert sorted(Report.objects.values_list("slug", flat=True)) == ["2025-11", "2025-W48"]


def test_making_a_communes_report_permission_matrix(world):  # noqa: F811
    expected = {
        "anonymous": LOGIN,
        "commander": 302,
        "analyst": 302,
        "commune_officer": 302,
        "other_commune_officer": 403,  # another commune's report: refused and audited
        "investigator": 403,
        "fire_rescue": 403,
        "public_relations": 403,
        "auditor": 403,
        "administrator": 403,
        "no_role": 403,
    }
    data = {"kind": "week", "period": "2025-W50", "language": "vi", "commune": COMMUNE_A}
    check_matrix("/reports/new/", expected, personas=world, method="post", data=data)
    assert list(Report.objects.values_list("commune_code", flat=True)) == [COMMUNE_A]  # made once


def test_commune_officer_lists_only_their_communes_reports(world):  # noqa: F811
    city, _ = report_generate(actor=SYSTEM, kind="week", period=Period.week(2025, 50))
    own, _ = report_generate(actor=SYSTEM, kind="week", period=Period.week(2025, 50), commune=COMMUNE_A)
    other, _ = report_generate(actor=SYSTEM, kind="week", period=Period.week(2025, 50), commune=COMMUNE_B)
    page = client_for(world["commune_officer"]).get("/reports/").content.decode()
    assert f"/reports/{own.pk}/pdf/" in page
    assert f"/reports/{city.pk}/pdf/" not in page and f"/reports/{other.pk}/pdf/" not in page


def test_a_period_not_over_yet_is_refused_so_no_incomplete_report_is_kept(world):  # noqa: F811
    with time_machine.travel(dt.datetime(2026, 11, 20, 3, 0, tzinfo=dt.UTC)):  # Friday 20/11/2026
        with pytest.raises(ReportError, match="23/11/2026"):
            report_generate(actor=world["commander"], kind="week", period=Period.week(2026, 47))
        with pytest.raises(CommandError, match="not over yet"):
            call_command("compstat_report", "--month", "2026-12")
    assert not Report.objects.exists()


def test_run_due_command_catches_up_a_given_day_and_rejects_a_bad_date(world):  # noqa: F811
    call_command("reports_run_due", "--today", "2026-01-05", "--lang", "vi", "--lang", "en")
    call_command("reports_run_due", "--today", "2026-01-05", "--lang", "vi", "--lang", "en")
    assert sorted(Report.objects.values_list("slug", "language")) == [
        ("2025-12", "en"),
        ("2025-12", "vi"),
        ("2026-W01", "en"),
        ("2026-W01", "vi"),
    ]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("reports_run_due", "--today", "05/01/2026")

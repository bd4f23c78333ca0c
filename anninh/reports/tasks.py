"""Background tasks (django-tasks; the immediate backend runs them inline in demo and tests)."""

from django_tasks import task

from anninh.reports.services import reports_run_due


@task()
def weekly_report_task() -> list[int]:
    """Every Monday (from cron or a systemd timer, see the README): make the reports due."""
    return [report.pk for report, _created in reports_run_due()]

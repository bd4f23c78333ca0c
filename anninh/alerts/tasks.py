"""Background jobs of the early warning (django-tasks; the immediate backend runs them inline
in demo and tests; a worker or cron runs them in production)."""

from django_tasks import task


@task()
def alerts_run_task() -> dict:
    """Run the rules once (the same service as `manage.py alerts_run`)."""
    from anninh.alerts.services import alerts_run

    result = alerts_run()
    return {"raised": len(result.raised), "grown": len(result.grown), "skipped": result.skipped}


@task()
def alerts_digest_task() -> int:
    """Send the daily digest (the same service as `manage.py alerts_digest`)."""
    from anninh.alerts.services import alerts_digest

    return alerts_digest()


@task()
def alerts_fraud_task(report_id: int, before: str, after: str) -> dict:
    """Re-evaluate the fraud rule after a report's collector account changed."""
    from anninh.alerts.services import fraud_reevaluate

    result = fraud_reevaluate(report_id=report_id, before=before, after=after)
    return {"raised": len(result.raised), "grown": len(result.grown)}

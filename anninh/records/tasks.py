"""Background tasks of the records (django-tasks; the immediate backend runs them inline in
demo and tests)."""

from django_tasks import task


@task()
def import_job_task(job_id: int) -> str:
    """A large import or dry run queued from the import page (anninh.records.services.io_jobs)."""
    from anninh.records.services.io_jobs import import_job_run

    return import_job_run(job_id)

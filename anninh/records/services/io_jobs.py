"""Large imports as background tasks, with progress their officer can watch.

    job = import_job_start(actor=user, unit=unit, token=token, file_name="x.xlsx", mapping=None,
                           dry_run=True, rows_total=120_000)
    # the task (anninh.records.tasks.import_job_task) runs import_job_run(job.pk)

The import page hands a file to a job when it has BACKGROUND_FROM rows or more (setting
ANNINH_IMPORT_BACKGROUND_FROM, default 5,000): a web worker is not held for minutes, and the
memory a large file takes is the task worker's. The job runs the very same service as the
page and the command (anninh.records.services.io_import.incidents_import), so a job's dry
run, its all-or-nothing commit, its idempotent re-runs, its caps and its audit rows are
theirs. With django-tasks' immediate backend (demo, tests, the default) the job runs at once
inside the request; a deployment with a task worker sets ANNINH_TASKS_BACKEND.

Progress: the import runs in one transaction, which hides any update of the job row from the
page until it ends; so while it runs, its count of rows goes to a small file beside the
staged one (`job-<id>.progress`, "done total"), which the page polls (htmx).

Staging: uploaded files wait in a private folder per user (ANNINH_IMPORT_STAGING), named by
their checksum, for a day.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.records.models import ImportJob, ImportJobStatus
from anninh.records.permissions import acting_unit_ids
from anninh.records.services.io_formats import Problem
from anninh.records.services.io_import import ImportResult, incidents_import
from anninh.records.versioning import RecordError

logger = logging.getLogger(__name__)

BACKGROUND_FROM = 5_000  # rows
STAGING_HOURS = 24
TOKEN_SUFFIXES = (".csv", ".xlsx")


# Staging ----------------------------------------------------------------------------------


def staging_dir(user) -> Path:
    root = Path(
        getattr(settings, "ANNINH_IMPORT_STAGING", "") or Path(tempfile.gettempdir()) / "anninh-imports"
    )
    folder = root / str(user.pk)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _sweep(folder: Path) -> None:
    """Forget staged files (and job progress files) nobody came back to within a day."""
    limit = time.time() - STAGING_HOURS * 3600
    for item in folder.glob("*"):
        if item.stat().st_mtime < limit:
            item.unlink(missing_ok=True)


def stage_upload(user, upload) -> str:
    """Keep an uploaded file in the user's staging folder; returns its token
    (<sha256>.<csv|xlsx>)."""
    folder = staging_dir(user)
    _sweep(folder)
    digest = hashlib.sha256()
    handle, temp_name = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    with open(temp_name, "rb") as fh:
        zipped = fh.read(4) == b"PK\x03\x04"
    token = f"{digest.hexdigest()}.{'xlsx' if zipped else 'csv'}"
    os.replace(temp_name, folder / token)
    return token


def staged_path(user, token: str) -> Path | None:
    import re

    if not re.fullmatch(r"[0-9a-f]{64}\.(csv|xlsx)", token or ""):
        return None
    candidate = staging_dir(user) / token
    return candidate if candidate.is_file() else None


# Jobs -------------------------------------------------------------------------------------


def background_from() -> int:
    return int(getattr(settings, "ANNINH_IMPORT_BACKGROUND_FROM", BACKGROUND_FROM))


def import_job_start(
    *,
    actor,
    unit,
    token: str,
    file_name: str,
    mapping: dict[str, str] | None,
    dry_run: bool,
    rows_total: int | None = None,
) -> ImportJob:
    """Queue the import (or dry run) of the staged file `token` for `unit`. Raises
    RecordError when the actor may not import for it (checked again when it runs)."""
    if not getattr(actor, "is_authenticated", False) or unit.pk not in acting_unit_ids(actor):
        raise RecordError("permission.unit", _("You cannot import incidents for this unit."))
    job = ImportJob.objects.create(
        unit=unit,
        created_by=actor,
        token=token,
        file_name=file_name[:255],
        mapping=mapping,
        dry_run=dry_run,
        rows_total=rows_total,
    )
    from anninh.records.tasks import import_job_task

    import_job_task.enqueue(job.pk)
    return job


def _progress_file(job: ImportJob) -> Path:
    return staging_dir(job.created_by) / f"job-{job.pk}.progress"


def _write_progress(target: Path, done: int, total: int | None) -> None:
    temp = target.with_suffix(".tmp")
    temp.write_text(f"{done} {total if total is not None else ''}")
    os.replace(temp, target)


def import_job_progress(job: ImportJob) -> tuple[int, int | None]:
    """(rows done, rows in the file when known)."""
    if job.finished:
        rows = int(job.result.get("rows", 0))
        return rows, rows
    try:
        done, _sep, total = _progress_file(job).read_text().partition(" ")
        return int(done), int(total) if total.strip() else job.rows_total
    except (OSError, ValueError):
        return 0, job.rows_total


def _problem_dict(p: Problem) -> dict[str, Any]:
    return {"code": p.code, "row": p.row, "column": p.column, "value": p.value, "params": list(p.params)}


def _problem(data: dict[str, Any]) -> Problem:
    return Problem(
        code=data["code"],
        row=data.get("row"),
        column=data.get("column", ""),
        value=data.get("value", ""),
        params=tuple((k, v) for k, v in data.get("params", [])),
    )


def import_job_result(job: ImportJob) -> ImportResult:
    """The job's result as the page shows an import's (messages in the reader's language)."""
    data = job.result or {}
    return ImportResult(
        file_name=job.file_name,
        sha256=data.get("sha256", ""),
        format=data.get("format", ""),
        dry_run=job.dry_run,
        mapping=data.get("mapping", {}),
        rows=data.get("rows", 0),
        created=data.get("created", 0),
        updated=data.get("updated", 0),
        unchanged=data.get("unchanged", 0),
        problems=[_problem(p) for p in data.get("problems", [])],
        file_problems=[_problem(p) for p in data.get("file_problems", [])],
        batch=job.batch,
    )


def import_job_run(job_id: int) -> str:
    """Run a queued job once (a second delivery of the task finds it taken); returns its
    status."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now()
    )
    job = ImportJob.objects.select_related("unit", "created_by").get(pk=job_id)
    if not claimed:
        return job.status
    progress_file = _progress_file(job)
    state = {"done": 0, "total": job.rows_total}

    def started(total: int | None) -> None:
        state["total"] = total if total is not None else state["total"]
        _write_progress(progress_file, 0, state["total"])

    def progress(count: int) -> None:
        state["done"] += count
        _write_progress(progress_file, state["done"], state["total"])

    try:
        path = staged_path(job.created_by, job.token)
        if path is None:
            job.result = {"file_problems": [_problem_dict(Problem(code="file.gone"))]}
            job.status = ImportJobStatus.FAILED
        else:
            result = incidents_import(
                actor=job.created_by,
                unit=job.unit,
                path=path,
                file_name=job.file_name,
                mapping=job.mapping,
                dry_run=job.dry_run,
                via="job",
                parallel=False,
                progress=progress,
                started=started,
            )
            job.result = {
                "ok": result.ok,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "format": result.format,
                "sha256": result.sha256,
                "mapping": result.mapping,
                "problems": [_problem_dict(p) for p in result.problems],
                "file_problems": [_problem_dict(p) for p in result.file_problems],
            }
            job.batch = result.batch
            job.status = ImportJobStatus.DONE
            if result.batch is not None:
                path.unlink(missing_ok=True)
    except RecordError as exc:
        job.result = {"error": exc.code}
        job.status = ImportJobStatus.FAILED
    except Exception:
        logger.exception("import job %s failed", job_id)
        job.result = {"error": "crash"}
        job.status = ImportJobStatus.FAILED
    finally:
        progress_file.unlink(missing_ok=True)
    job.finished_at = timezone.now()
    job.save(update_fields=["result", "batch", "status", "finished_at"])
    return job.status


def import_job_error(job: ImportJob) -> str:
    """Why a failed job stopped, for its officer (translated)."""
    data = job.result or {}
    error = data.get("error")
    if not error and data.get("file_problems"):
        return " ".join(_problem(p).message for p in data["file_problems"])
    if error == "permission.unit":
        return _("You cannot import incidents for this unit.")
    if error:
        return _(
            "The import stopped on an unexpected error; nothing was written. Try again, or tell an administrator."
        )
    return ""

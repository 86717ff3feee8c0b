"""Background jobs (imports and exports): recorded first, then a worker is woken on commit.

A worker claims a job with a conditional UPDATE, so two deliveries of one wake-up run it
once. While it runs it reports progress, and each report renews its claim. A worker that
dies leaves a claim that stops being renewed: after `JOB_STALE_SECONDS` the sweep wakes a
worker again, which claims the job afresh and starts it from scratch (an export writes a new
file, an import skips what its earlier attempt already stored). A job is marked done only
after its result is complete, by the worker that still holds the claim.
"""

import logging
import shutil
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F, Q
from django.utils import timezone

from annotations.errors import DomainError
from annotations.models import Job, Project
from annotations.services.audit import audit_record
from annotations.services.work import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int | None], None]
MAX_REPORTED = 1000
PROGRESS_INTERVAL_SECONDS = 0.5


class JobLost(Exception):
    """Another worker took the job over (this one was presumed dead): stop quietly."""


def media_path(relative: str) -> Path:
    return Path(settings.MEDIA_ROOT) / relative


def job_create(
    *,
    project: Project,
    actor: User | None,
    kind: str,
    format: str,
    options: dict[str, Any],
    input_file: str = "",
    wake: bool = True,
) -> Job:
    """Record the job, then (after commit) wake a worker for it."""
    from annotations import tasks

    job = Job.objects.create(
        project=project,
        kind=kind,
        format=format,
        options=options,
        input_file=input_file,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        actor=actor,
        project=project,
        action=f"{kind}.create",
        object_type="job",
        object_id=job.pk,
        after={"format": format, "options": options},
    )
    if wake:
        enqueue_on_commit(tasks.job_run, job.pk)
    return job


def job_claim(*, job_id: int, now: datetime | None = None) -> Job | None:
    """Take the job if it is queued, or running under a claim gone stale; None otherwise."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    claimed = Job.objects.filter(
        Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, claimed_at__lt=stale),
        pk=job_id,
        attempts__lt=settings.JOB_MAX_ATTEMPTS,
    ).update(
        status=Job.Status.RUNNING,
        claimed_at=now,
        started_at=now,
        finished_at=None,
        attempts=F("attempts") + 1,
        progress=0,
        total=None,
        report={},
        errors=[],
    )
    if not claimed:
        return None
    return Job.objects.select_related("project", "created_by").get(pk=job_id)


class Progress:
    """Reports progress at most twice a second, renewing the claim each time."""

    def __init__(self, job: Job, echo: ProgressCallback | None = None) -> None:
        self.job = job
        self.echo = echo
        self.last = 0.0

    def __call__(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        if self.echo is not None:
            self.echo(done, total)
        if not force and time.monotonic() - self.last < PROGRESS_INTERVAL_SECONDS:
            return
        self.last = time.monotonic()
        fields: dict[str, Any] = {"progress": done, "claimed_at": timezone.now()}
        if total is not None:
            fields["total"] = total
        renewed = Job.objects.filter(
            pk=self.job.pk, status=Job.Status.RUNNING, attempts=self.job.attempts
        ).update(**fields)
        if not renewed:
            raise JobLost(self.job.pk)


def _mine(job: Job) -> Any:
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)


def job_finish(
    *,
    job: Job,
    report: dict[str, Any],
    errors: list[dict[str, Any]] | None = None,
    result_file: str = "",
    total: int | None = None,
) -> bool:
    now = timezone.now()
    fields: dict[str, Any] = {
        "status": Job.Status.DONE,
        "report": report,
        "errors": (errors or [])[:MAX_REPORTED],
        "result_file": result_file,
        "finished_at": now,
        "expires_at": (
            now + timedelta(hours=settings.JOB_RESULT_RETENTION_HOURS) if result_file else None
        ),
    }
    if total is not None:
        fields["progress"] = total
        fields["total"] = total
    finished = _mine(job).update(**fields) == 1
    if finished:
        audit_record(
            actor=None,
            project=job.project,
            action=f"{job.kind}.finish",
            object_type="job",
            object_id=job.pk,
            after={k: v for k, v in report.items() if not isinstance(v, list)},
        )
    return finished


def job_fail(
    *,
    job: Job,
    code: str,
    message: str,
    now: datetime | None = None,
) -> None:
    _mine(job).update(
        status=Job.Status.FAILED,
        finished_at=now or timezone.now(),
        report={},
        errors=[{"code": code, "message": message}],
    )


def _cleanup_inputs(job: Job) -> None:
    """Delete an import's uploaded files (never files a command was pointed at)."""
    if job.kind == Job.Kind.IMPORT and job.input_file:
        folder = media_path(job.input_file)
        if folder.resolve().is_relative_to((Path(settings.MEDIA_ROOT) / "imports").resolve()):
            shutil.rmtree(folder, ignore_errors=True)


def job_execute(*, job: Job, echo: ProgressCallback | None = None) -> None:
    """Run a claimed job to its end: done, or failed with a message a person can act on."""
    from annotations.services import exports, imports

    progress = Progress(job, echo)
    try:
        if job.kind == Job.Kind.IMPORT:
            imports.import_run(job=job, progress=progress)
        else:
            exports.export_run(job=job, progress=progress)
    except JobLost:
        logger.info("job %s was taken over by another worker", job.pk)
        return
    except DomainError as exc:
        job_fail(job=job, code=exc.code, message=exc.message)
    except Exception as exc:
        logger.exception("job %s failed", job.pk)
        job_fail(
            job=job,
            code="job_crashed",
            message=f"The job stopped on an unexpected error ({type(exc).__name__}); it has "
            "been logged. Try again, or tell a site admin.",
        )
    job.refresh_from_db()
    if job.status in (Job.Status.DONE, Job.Status.FAILED):
        _cleanup_inputs(job)


def job_run(*, job_id: int) -> bool:
    """The task's body: claim the job (or return if someone has it) and run it."""
    job = job_claim(job_id=job_id)
    if job is None:
        return False
    job_execute(job=job)
    return True


def jobs_sweep(*, now: datetime) -> dict[str, int]:
    """Wake workers for jobs whose wake-up was lost or whose worker died; expire results."""
    found = {"jobs_queued": 0, "jobs_restarted": 0, "jobs_given_up": 0, "jobs_expired": 0}
    grace = now - timedelta(seconds=settings.SWEEP_GRACE_SECONDS)
    stale = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    from annotations import tasks

    for job_id in Job.objects.filter(status=Job.Status.QUEUED, created_at__lte=grace).values_list(
        "pk", flat=True
    )[:100]:
        enqueue(tasks.job_run, job_id)
        found["jobs_queued"] += 1
    for job in Job.objects.filter(status=Job.Status.RUNNING, claimed_at__lt=stale)[:100]:
        if job.options.get("inline") or job.attempts >= settings.JOB_MAX_ATTEMPTS:
            message = (
                "The command running this job stopped before it finished; run it again."
                if job.options.get("inline")
                else f"The worker stopped {job.attempts} times while running this job; it was "
                "given up. Try a smaller file, or tell a site admin."
            )
            job_fail(job=job, code="worker_lost", message=message, now=now)
            _cleanup_inputs(job)
            found["jobs_given_up"] += 1
            continue
        enqueue(tasks.job_run, job.pk)
        found["jobs_restarted"] += 1
    for job in Job.objects.filter(status=Job.Status.DONE, expires_at__lte=now).exclude(
        result_file=""
    )[:100]:
        media_path(job.result_file).unlink(missing_ok=True)
        Job.objects.filter(pk=job.pk).update(result_file="")
        found["jobs_expired"] += 1
    return found

"""Export of a project's annotations: a job streams the selection into a file.

The file is written under a name of its own for each attempt and renamed into place only
when complete; the job is marked done after that, by the worker that still holds its
claim. A worker that dies leaves at most a partial file, which the next attempt removes:
a half file is never marked done. Finished files are kept for JOB_RESULT_RETENTION_HOURS,
then the sweep deletes them.
"""

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import User
from django.utils.text import slugify

from annotations.checkpoints import checkpoint
from annotations.exporters import EXPORTERS
from annotations.exporters.base import ExportContext
from annotations.exporters.records import (
    ExportOptions,
    document_batches,
    export_options,
    selected_documents,
)
from annotations.models import Job, Project
from annotations.services.jobs import (
    MAX_REPORTED,
    Progress,
    job_create,
    job_finish,
    media_path,
)

UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def export_job_create(
    *, project: Project, actor: User, format: str, options: dict[str, Any]
) -> Job:
    """Validate the request (naming the wrong field) and record the job."""
    validated = export_options(project=project, format=format, raw=options)
    return job_create(
        project=project,
        actor=actor,
        kind=Job.Kind.EXPORT,
        format=format,
        options=validated.as_json(),
    )


def export_write(
    *,
    project: Project,
    options: ExportOptions,
    out: IO[bytes],
    job_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportContext:
    """Stream the selection into `out` in the options' format; return what was written."""
    total = selected_documents(project, options).count()
    context = ExportContext(project=project, options=options, job_id=job_id)
    exporter = EXPORTERS[options.format](context, out)
    exporter.begin()
    done = 0
    if progress is not None:
        progress(0, total)
    for batch in document_batches(project, options, full_spans=exporter.full_spans):
        exporter.write(batch)
        context.count(batch)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    exporter.end()
    exporter.close()
    context.counts["total"] = total
    return context


def file_name(job: Job) -> str:
    """What a downloaded export is called: project, layer, job, extension."""
    exporter = EXPORTERS[job.format]
    layer = UNSAFE.sub("_", str(job.options.get("layer", "gold")))
    project = slugify(job.project.name) or f"project-{job.project_id}"
    return f"{project}-{job.format}-{layer}-{job.pk}.{exporter.extension}"


def export_run(*, job: Job, progress: Progress) -> None:
    options = export_options(project=job.project, format=job.format, raw=job.options)
    relative = f"exports/project-{job.project_id}/{file_name(job)}"
    final = media_path(relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f"{final.name}.partial-{job.attempts}")
    try:
        with partial.open("wb") as out:
            context = export_write(
                project=job.project,
                options=options,
                out=out,
                job_id=job.pk,
                progress=progress,
            )
        checkpoint("export")
        os.replace(partial, final)
    finally:
        partial.unlink(missing_ok=True)
        _remove_partials(final, before=job.attempts)
    report = {
        **context.counts,
        "format": job.format,
        "layer": options.layer,
        "size": final.stat().st_size,
        "warnings": context.warnings[:MAX_REPORTED],
    }
    job_finish(job=job, report=report, result_file=relative, total=context.counts["total"])


def _remove_partials(final: Path, *, before: int) -> None:
    """Partial files of earlier attempts (whose workers died) are never a result."""
    for stale in final.parent.glob(f"{final.name}.partial-*"):
        attempt = stale.name.rsplit("-", 1)[-1]
        if attempt.isdigit() and int(attempt) < before:
            stale.unlink(missing_ok=True)

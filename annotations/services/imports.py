"""Import of articles: a job reads every row, normalises the text, stores new documents.

Each article's text becomes NFC with `\\n` line endings before any offset exists; spans
that came with it are moved onto the normalised text (`importers.offsets`) and go into the
document's pre-annotation layer (an assignment of kind `preannotation` with no annotator),
never into an annotator's, so they never count in agreement. A text already in the project
(same hash) is reported as a duplicate and skipped. A bad row is reported with its line and
reason while the good ones are stored; a whole file that cannot be read (binary, zip bomb,
too many rows) is refused with a message before anything is stored.

Rows are stored in batches, each in one transaction. If the worker dies, the job restarts
from scratch: documents that an earlier attempt of the same job stored are recognised by
`metadata._import.job` and counted, not stored twice.
"""

import re
import shutil
import uuid
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile

from annotations import importers
from annotations.errors import Invalid
from annotations.importers.base import SourceError
from annotations.importers.sources import SourceFile, check_size, check_upload, source_files
from annotations.models import (
    Job,
    Project,
)
from annotations.services.import_store import Importer, ImportReport
from annotations.services.jobs import Progress, job_create, job_finish, media_path

SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _safe_name(name: str) -> str:
    base = Path(name.replace("\\", "/")).name
    return SAFE_NAME.sub("_", base)[:100] or "upload"


def import_job_create(
    *,
    project: Project,
    actor: User,
    uploads: Iterable[UploadedFile] = (),
    urls: str = "",
    format: str | None = None,
    layer: str | None = None,
) -> Job:
    """Save the uploads, refuse what is unusable at once, and record the job."""
    uploads = list(uploads)
    url_lines = [line.strip() for line in urls.splitlines() if line.strip()]
    if not uploads and not url_lines:
        raise Invalid(
            "nothing_to_import", "Choose a file to upload or list some URLs.", field="file"
        )
    if len(url_lines) > settings.URL_IMPORT_MAX_URLS:
        raise Invalid(
            "too_many_urls",
            f"The list has {len(url_lines):,} URLs; an import takes at most "
            f"{settings.URL_IMPORT_MAX_URLS:,} (URL_IMPORT_MAX_URLS).",
            field="urls",
        )
    relative = f"imports/{uuid.uuid4().hex}"
    folder = media_path(relative)
    folder.mkdir(parents=True, exist_ok=True)
    files: list[dict[str, str]] = []
    try:
        for index, upload in enumerate(uploads):
            name = upload.name or f"upload-{index}"
            path = folder / f"{index}-{_safe_name(name)}"
            try:
                # The size first, before a byte is written; then what the bytes are.
                check_size(name, upload.size or 0)
                with path.open("wb") as out:
                    for chunk in upload.chunks():
                        out.write(chunk)
                check_upload(path, name, format)
            except SourceError as exc:
                raise Invalid(exc.code, exc.message, field="file") from exc
            files.append({"name": name, "path": f"{relative}/{path.name}", "format": format or ""})
        if url_lines:
            path = folder / "urls.txt"
            path.write_text("\n".join(url_lines) + "\n", encoding="utf-8")
            files.append({"name": "URL list", "path": f"{relative}/urls.txt", "format": "urls"})
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return job_create(
        project=project,
        actor=actor,
        kind=Job.Kind.IMPORT,
        format=format or ("urls" if not uploads else "auto"),
        options={"files": files, "layer": layer or ""},
        input_file=relative,
    )


def _sources(job: Job) -> list[SourceFile]:
    found: list[SourceFile] = []
    for entry in job.options.get("files", []):
        path = Path(entry["path"])
        if not path.is_absolute():
            path = media_path(entry["path"])
        try:
            found.extend(source_files(path, entry["name"], entry.get("format") or None))
        except SourceError as exc:
            raise Invalid(exc.code, exc.message, field="file") from exc
        except FileNotFoundError as exc:
            raise Invalid(
                "file_missing", f"The uploaded file “{entry['name']}” is gone; upload it again."
            ) from exc
    return found


def import_run(*, job: Job, progress: Progress) -> None:
    """Read every source of the job, store what is good, report the rest."""
    layer = job.options.get("layer") or None
    report = ImportReport()
    importer = Importer(job, report)
    try:
        # Every source is counted before a row is stored, so that an import over the row
        # limit stores nothing.
        sources = _sources(job)
        total = sum(importers.count_rows(source) for source in sources)
        if total > settings.IMPORT_MAX_ROWS:
            raise Invalid(
                "too_many_rows",
                f"The import has {total:,} rows; an import takes at most "
                f"{settings.IMPORT_MAX_ROWS:,} (IMPORT_MAX_ROWS). Split the file.",
                field="file",
            )
        progress(0, total, force=True)
        done = 0
        for source in sources:
            for row in importers.read_rows(source, layer=layer):
                importer.add(row)
                done += 1
                progress(min(done, total), total)
    except SourceError as exc:
        raise Invalid(exc.code, exc.message, field="file") from exc
    except zipfile.BadZipFile as exc:
        raise Invalid(
            "bad_archive", f"A zip archive is damaged ({exc}); nothing more was read.", field="file"
        ) from exc
    importer.flush()
    job_finish(job=job, report=report.as_dict(), errors=report.errors, total=total)

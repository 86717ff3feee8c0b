"""python manage.py import_articles --project ID FILE... : import articles with a progress bar.

The same import as the page and the API (a Job row, the same readers and checks), run here
in this process rather than by a worker.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from annotations.importers.base import SourceError
from annotations.importers.sources import FORMATS, check_upload
from annotations.management.progress import ProgressBar
from annotations.models import Job, Project
from annotations.services.jobs import job_claim, job_create, job_execute


class Command(BaseCommand):
    help = (
        "Import articles (txt, jsonl, csv, html, Label Studio json, URL lists, zip) into a project."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", type=int, required=True, help="the project's id")
        parser.add_argument("files", nargs="+", help="files to import")
        parser.add_argument(
            "--format",
            choices=["auto", *FORMATS],
            default="auto",
            help="the files' format (default: from each file's name)",
        )
        parser.add_argument(
            "--layer",
            default="",
            help="for a native JSONL export with several layers: the one to "
            "import as pre-annotations (gold, or an annotator's name)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pk=options["project"], deleted_at__isnull=True).first()
        if project is None:
            raise CommandError(f"There is no project {options['project']}.")
        requested = None if options["format"] == "auto" else options["format"]
        files = []
        for name in options["files"]:
            path = Path(name).resolve()
            if not path.is_file():
                raise CommandError(f"{name}: no such file.")
            try:
                check_upload(path, path.name, requested)
            except SourceError as exc:
                raise CommandError(exc.message) from exc
            files.append({"name": path.name, "path": str(path), "format": requested or ""})
        with transaction.atomic():
            job = job_create(
                project=project,
                actor=None,
                kind=Job.Kind.IMPORT,
                format=requested or "auto",
                options={"files": files, "layer": options["layer"], "inline": True},
                wake=False,
            )
        claimed = job_claim(job_id=job.pk)
        if claimed is None:
            raise CommandError(f"Import job {job.pk} was taken by someone else.")
        bar = ProgressBar("importing")
        job_execute(job=claimed, echo=bar)
        bar.finish()
        claimed.refresh_from_db()
        self._report(claimed)

    def _report(self, job: Job) -> None:
        report = job.report
        for error in job.errors:
            self.stderr.write(error["message"])
        if job.status == Job.Status.FAILED:
            raise CommandError(f"Import job {job.pk} failed.")
        for entry in report.get("duplicate_rows", []) + report.get("warning_rows", []):
            self.stderr.write(entry["message"])
        self.stdout.write(
            f"Import job {job.pk}: {report.get('imported', 0):,} imported, "
            f"{report.get('duplicates', 0):,} duplicates skipped, "
            f"{report.get('errors', 0):,} rows refused, "
            f"{report.get('spans', 0):,} pre-annotated spans, "
            f"{report.get('relations', 0):,} relations."
        )

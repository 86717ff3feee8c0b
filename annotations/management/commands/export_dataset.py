"""python manage.py export_dataset --project ID --format F --layer gold|all|USERNAME --output PATH

Streams the export straight into PATH (written beside it and renamed when complete), with a
progress bar on the terminal.
"""

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.errors import Invalid
from annotations.exporters import EXPORTERS
from annotations.exporters.records import DATE_FIELDS, export_options
from annotations.management.progress import ProgressBar
from annotations.models import DocumentStatus, Project
from annotations.services.exports import export_write


class Command(BaseCommand):
    help = "Export a project's annotations to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", type=int, required=True)
        parser.add_argument("--format", choices=list(EXPORTERS), required=True)
        parser.add_argument(
            "--layer", default="gold", help="gold, all, preannotation, or an annotator's username"
        )
        parser.add_argument("--output", required=True, help="the file to write")
        parser.add_argument(
            "--status",
            action="append",
            default=[],
            choices=DocumentStatus.values,
            help="document status (repeatable)",
        )
        parser.add_argument("--date-field", default="imported", choices=list(DATE_FIELDS))
        parser.add_argument("--from", dest="date_from", help="YYYY-MM-DD, inclusive")
        parser.add_argument("--to", dest="date_to", help="YYYY-MM-DD, inclusive")
        parser.add_argument(
            "--pseudonymize",
            action="store_true",
            help="replace annotator names by stable pseudonyms",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(pk=options["project"], deleted_at__isnull=True).first()
        if project is None:
            raise CommandError(f"There is no project {options['project']}.")
        try:
            selection = export_options(
                project=project,
                format=options["format"],
                raw={
                    "layer": options["layer"],
                    "statuses": options["status"],
                    "date_field": options["date_field"],
                    "date_from": options["date_from"],
                    "date_to": options["date_to"],
                    "pseudonymize": options["pseudonymize"],
                },
            )
        except Invalid as exc:
            raise CommandError(exc.message) from exc
        output = Path(options["output"])
        partial = output.with_name(f".{output.name}.partial")
        bar = ProgressBar("exporting")
        try:
            with partial.open("wb") as out:
                context = export_write(project=project, options=selection, out=out, progress=bar)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        bar.finish()
        for warning in context.warnings:
            self.stderr.write(warning)
        counts = context.counts
        self.stdout.write(
            f"Wrote {output}: {counts['documents']:,} documents, {counts['spans']:,} spans, "
            f"{counts['relations']:,} relations ({selection.layer} layer, {selection.format})."
        )

"""`manage.py agreement FILE|-`: agreement figures for anyone's annotations, as JSON."""

import json
import os
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.agreement.io import AgreementInputError, agreement_output, parse_input


class Command(BaseCommand):
    help = (
        'Print agreement figures as JSON. FILE holds {"kind": "spans", "documents": [...]}, '
        '{"kind": "coding", "level": ..., "data": [[...]]} or JSON Lines of documents; '
        "- reads standard input. See annotations/agreement/io.py for the format."
    )

    # The command reads a file and prints figures; it needs neither the database nor the
    # URL configuration, so Django's system checks (which import every view) are skipped.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="input file, or - for standard input")
        parser.add_argument(
            "--indent", type=int, default=2, help="JSON indentation; 0 prints one line"
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=1,
            help=f"processes for large inputs (this machine has {os.cpu_count()} CPUs); worth it "
            "only when they are idle",
        )

    def handle(self, *args: Any, file: str, indent: int, processes: int, **options: Any) -> None:
        name = "stdin" if file == "-" else file
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{name}: cannot read it ({exc})") from exc
        try:
            parsed = parse_input(text)
        except AgreementInputError as exc:
            raise CommandError(f"{name}: {exc}") from exc
        output = agreement_output(parsed, processes=processes)
        self.stdout.write(json.dumps(output, indent=indent or None, allow_nan=False))

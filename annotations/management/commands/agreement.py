"""`manage.py agreement FILE|-`: agreement figures for anyone's annotations, as JSON."""

import json
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

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="input file, or - for standard input")
        parser.add_argument(
            "--indent", type=int, default=2, help="JSON indentation; 0 prints one line"
        )

    def handle(self, *args: Any, file: str, indent: int, **options: Any) -> None:
        name = "stdin" if file == "-" else file
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{name}: cannot read it ({exc})") from exc
        try:
            parsed = parse_input(text)
        except AgreementInputError as exc:
            raise CommandError(f"{name}: {exc}") from exc
        output = agreement_output(parsed)
        self.stdout.write(json.dumps(output, indent=indent or None, allow_nan=False))

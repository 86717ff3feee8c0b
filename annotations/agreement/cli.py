"""``manage.py agreement FILE|-``: agreement figures for anyone's annotations, as JSON.

The command needs neither the database nor Django's app registry, so ``manage.py``
runs :func:`main` before setting Django up, which would otherwise be most of the
command's start (0.23 s of 0.29 s on the benchmark machine). The management command
of the same name, for ``call_command`` and ``manage.py help``, runs the same :func:`run`.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from argparse import ArgumentParser
from collections.abc import Sequence
from pathlib import Path

from .io import AgreementInputError, agreement_output, read_input

DESCRIPTION = (
    'Print agreement figures as JSON. FILE holds {"kind": "spans", "documents": [...]}, '
    '{"kind": "coding", "level": ..., "data": [[...]]} or JSON Lines of documents; '
    "- reads standard input. See annotations/agreement/io.py for the format."
)


class AgreementCommandError(Exception):
    """The command cannot go on; the message names the file and what is wrong with it."""


def add_arguments(parser: ArgumentParser) -> None:
    parser.add_argument("file", help="input file, or - for standard input")
    parser.add_argument("--indent", type=int, default=2, help="JSON indentation; 0 prints one line")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help=f"processes for large inputs (this machine has {os.cpu_count()} CPUs); worth it "
        "only when they are idle",
    )


def run(file: str, *, indent: int, processes: int) -> str:
    """The figures of ``file`` (``-`` for standard input) as JSON text."""
    name = "stdin" if file == "-" else file
    try:
        text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AgreementCommandError(f"{name}: cannot read it ({exc})") from exc
    try:
        output = agreement_output(read_input(text), processes=processes)
    except AgreementInputError as exc:
        raise AgreementCommandError(f"{name}: {exc}") from exc
    return json.dumps(output, indent=indent or None, allow_nan=False)


def main(argv: Sequence[str]) -> int:
    """The command line: arguments after ``agreement``; returns the exit status."""
    parser = ArgumentParser(prog="manage.py agreement", description=DESCRIPTION)
    add_arguments(parser)
    arguments = parser.parse_args(argv)
    # The command builds large trees of JSON values, spans and statistics that hold no
    # reference cycles, so reference counting frees its garbage; the cycle collector's
    # passes over those trees took a sixth of its time. Only this process's own entry
    # point does this, never run(), which a long-lived process may call.
    gc.disable()
    try:
        text = run(arguments.file, indent=arguments.indent, processes=arguments.processes)
    except AgreementCommandError as exc:
        sys.stderr.write(f"CommandError: {exc}\n")
        return 1
    sys.stdout.write(text + "\n")
    return 0

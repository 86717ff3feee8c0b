#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["agreement"]:
        # Agreement on a file is plain Python and numpy: setting Django up first would be
        # most of the command's start (see annotations/agreement/cli.py).
        from annotations.agreement.cli import main as agreement

        sys.exit(agreement(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "factcheck.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

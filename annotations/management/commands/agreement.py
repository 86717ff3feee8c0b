"""`manage.py agreement FILE|-` inside Django, for ``call_command`` and ``manage.py help``.

``manage.py agreement`` itself runs :mod:`annotations.agreement.cli` without setting
Django up; both run the same :func:`~annotations.agreement.cli.run`.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotations.agreement.cli import DESCRIPTION, AgreementCommandError, add_arguments, run


class Command(BaseCommand):
    help = DESCRIPTION

    # The command reads a file and prints figures; it needs neither the database nor the
    # URL configuration, so Django's system checks (which import every view) are skipped.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        add_arguments(parser)

    def handle(self, *args: Any, file: str, indent: int, processes: int, **options: Any) -> None:
        try:
            text = run(file, indent=indent, processes=processes)
        except AgreementCommandError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(text)

"""Backup and restore as docs/operations.md describes it: pg_dump, pg_restore into a new
database, and every span (and its audit trail) is there."""

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection

from annotations.models import AuditEvent, Span
from tests.conftest import World
from tests.factories import SpanFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SPANS = (
    'SELECT id, assignment_id, label, start, "end", quote, note, client_id, version '
    "FROM annotations_span ORDER BY id"
)


def connect(database: str) -> psycopg.Connection[Any]:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"],
        port=db["PORT"] or 5432,
        user=db["USER"] or "postgres",
        password=db["PASSWORD"] or None,
        dbname=database,
        autocommit=True,
    )


def client_args() -> list[str]:
    db = connection.settings_dict
    return ["-h", db["HOST"], "-p", str(db["PORT"] or 5432), "-U", db["USER"] or "postgres"]


@pytest.fixture
def restored_database() -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_restored"
    with connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connect("postgres") as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_new_database_has_every_span(
    world: World, api: Any, tmp_path: Path, restored_database: str
) -> None:
    text = world.document.text
    for start, end in ((0, 3), (4, 12), (18, 35), (37, 48)):
        response = api(world.annotator).post(
            f"/api/documents/{world.document.pk}/spans/",
            {"label": "claim", "start": start, "end": end, "quote": text[start:end]},
            format="json",
        )
        assert response.status_code in (200, 201)
    SpanFactory(assignment=world.other_assignment, start=4, end=12, note="emoji 🧪 and n̈")
    dump = tmp_path / "factcheck.dump"

    subprocess.run(
        [
            "pg_dump",
            *client_args(),
            "--format=custom",
            f"--file={dump}",
            connection.settings_dict["NAME"],
        ],
        check=True,
    )
    subprocess.run(
        ["pg_restore", *client_args(), "--no-owner", f"--dbname={restored_database}", str(dump)],
        check=True,
    )

    with connect(connection.settings_dict["NAME"]) as source, connect(restored_database) as copy:
        original = source.execute(SPANS).fetchall()
        assert copy.execute(SPANS).fetchall() == original
        audit = "SELECT id, action, object_id, after FROM annotations_auditevent ORDER BY id"
        assert copy.execute(audit).fetchall() == source.execute(audit).fetchall()
    assert len(original) == Span.objects.count() == 7
    assert AuditEvent.objects.filter(action="span.create").count() == 4
    assert ("emoji 🧪 and n̈",) in [row[6:7] for row in original]

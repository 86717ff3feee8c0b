"""Audit events: every write records who did what, with the state before and after."""

from typing import Any

from django.contrib.auth.models import User
from django.db import connection
from django.utils import timezone

from annotations.models import AuditEvent, Project, Relation, Span


def span_snapshot(span: Span) -> dict[str, Any]:
    return {
        "id": span.pk,
        "client_id": str(span.client_id) if span.client_id else None,
        "label": span.label,
        "start": span.start,
        "end": span.end,
        "quote": span.quote,
        "attributes": span.attributes,
        "note": span.note,
        "version": span.version,
        "assignment": span.assignment_id,
    }


def relation_snapshot(relation: Relation) -> dict[str, Any]:
    return {
        "id": relation.pk,
        "type": relation.type,
        "from_span": relation.from_span_id,
        "to_span": relation.to_span_id,
        "assignment": relation.assignment_id,
    }


# Every write records one event, so it goes in with a written-out INSERT: through
# objects.create the ORM cost twice the CPU. The values are prepared by the fields
# themselves (JSON, timestamps), as the ORM would prepare them.
AUDIT_COLUMNS = (
    "actor_id",
    "project_id",
    "action",
    "object_type",
    "object_id",
    "before",
    "after",
    "created_at",
)
AUDIT_INSERT_SQL = (
    "INSERT INTO annotations_auditevent ("  # noqa: S608 - our own column names
    + ", ".join(AUDIT_COLUMNS)
    + ") VALUES ("
    + ", ".join(["%s"] * len(AUDIT_COLUMNS))
    + ")"
)


def audit_record(
    *,
    actor: User | None,
    project: Project | None,
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any = None,
    after: Any = None,
) -> None:
    values = {
        "actor_id": actor.pk if actor is not None else None,
        "project_id": project.pk if project is not None else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "before": before,
        "after": after,
        "created_at": timezone.now(),
    }
    meta = AuditEvent._meta
    params = [
        meta.get_field(name).get_db_prep_save(values[name], connection)  # type: ignore[union-attr]
        for name in AUDIT_COLUMNS
    ]
    with connection.cursor() as cursor:
        cursor.execute(AUDIT_INSERT_SQL, params)

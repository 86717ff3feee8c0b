"""Audit events: every write records who did what, with the state before and after."""

from typing import Any

from django.contrib.auth.models import User

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


def audit_record(
    *,
    actor: User | None,
    project: Project | None,
    action: str,
    object_type: str,
    object_id: int | None,
    before: Any = None,
    after: Any = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        project=project,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )

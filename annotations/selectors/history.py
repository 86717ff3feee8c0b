"""A span's full history, read from its audit events: still readable after it is deleted."""

from django.db.models import QuerySet

from annotations.errors import not_found
from annotations.models import Assignment, AssignmentKind, AuditEvent, Role, Span
from annotations.selectors.access import User, project_role, role_at_least


def _assignment_of_span(span_id: int, events: QuerySet[AuditEvent]) -> int | None:
    """The layer the span lives (or lived) in: from the span, else from its snapshots."""
    live = Span.objects.filter(pk=span_id).values_list("assignment_id", flat=True).first()
    if live is not None:
        return int(live)
    for before, after in events.values_list("before", "after"):
        for snapshot in (after, before):
            if isinstance(snapshot, dict) and snapshot.get("assignment") is not None:
                return int(snapshot["assignment"])
    return None


def span_history(*, user: User, span_id: int) -> QuerySet[AuditEvent]:
    """Every audit event of the span, oldest first, for its annotator and the project's
    editors and admins; 404 for anyone else, as for the span itself."""
    events = AuditEvent.objects.filter(object_type="span", object_id=span_id)
    assignment_id = _assignment_of_span(span_id, events)
    assignment = (
        Assignment.objects.filter(
            pk=assignment_id,
            document__deleted_at__isnull=True,
            document__project__deleted_at__isnull=True,
        )
        .select_related("document__project")
        .first()
        if assignment_id is not None
        else None
    )
    if assignment is None:
        raise not_found("span")
    role = project_role(user=user, project=assignment.document.project)
    own = assignment.kind == AssignmentKind.ANNOTATOR and assignment.annotator_id == user.pk
    if role is None or not (own or role_at_least(role, Role.EDITOR)):
        raise not_found("span")
    return events.select_related("actor").order_by("id")

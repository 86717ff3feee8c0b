"""Histories read from the audit events: a document's decisions, and a span's whole life
(still readable after it is deleted)."""

from django.db.models import Q, QuerySet

from annotations.errors import not_found
from annotations.models import Assignment, AssignmentKind, AuditEvent, Document, Role, Span
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


def document_history(*, document: Document) -> QuerySet[AuditEvent]:
    """Who decided what about the document, and when, oldest first: the document's own
    events, its assignments' (removed ones too), gold edits, verdicts and comments."""
    layers = list(Assignment.objects.filter(document=document).values_list("pk", "kind"))
    assignment_ids = [pk for pk, _ in layers]
    gold = next((pk for pk, kind in layers if kind == AssignmentKind.GOLD), None)
    about = (
        Q(object_type="document", object_id=document.pk)
        | Q(object_type="assignment", object_id__in=assignment_ids)
        | Q(object_type__in=("assignment", "verdict", "comment"), after__document=document.pk)
        | Q(object_type__in=("assignment", "verdict", "comment"), before__document=document.pk)
    )
    if gold is not None:
        about |= Q(object_type__in=("span", "relation"), after__assignment=gold) | Q(
            object_type__in=("span", "relation"), before__assignment=gold
        )
    return (
        AuditEvent.objects.filter(about, project=document.project)
        .select_related("actor")
        .order_by("created_at", "id")
    )

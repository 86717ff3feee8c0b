"""Reads of documents, assignments, spans and relations, scoped to the user.

Annotators see only the documents assigned to them, and only their own layer: they stay
blind to one another. Editors and admins see every document of their projects.
"""

from django.db.models import Exists, OuterRef, QuerySet

from annotations.errors import NotFoundError, PermissionDeniedError, not_found
from annotations.models import (
    Assignment,
    AssignmentKind,
    Document,
    Membership,
    Project,
    Relation,
    Role,
    Span,
)
from annotations.selectors.access import User, project_get_for_user, project_role, role_at_least


def documents_visible(*, user: User, project: Project) -> QuerySet[Document]:
    documents = Document.objects.filter(project=project, deleted_at__isnull=True)
    if role_at_least(project_role(user=user, project=project), Role.EDITOR):
        return documents
    return documents.filter(
        assignments__annotator_id=user.pk, assignments__kind=AssignmentKind.ANNOTATOR
    )


def document_list(*, user: User, project_id: int, status: str | None = None) -> QuerySet[Document]:
    project = project_get_for_user(user=user, project_id=project_id)
    documents = documents_visible(user=user, project=project)
    if status:
        documents = documents.filter(status=status)
    return documents.order_by("id")


def document_get(*, user: User, document_id: int, minimum: Role = Role.ANNOTATOR) -> Document:
    """The document if the user may see it, else 404 (never a hint that it exists)."""
    document = (
        Document.objects.filter(
            pk=document_id, deleted_at__isnull=True, project__deleted_at__isnull=True
        )
        .select_related("project")
        .first()
    )
    if document is None:
        raise not_found("document")
    role = project_role(user=user, project=document.project)
    if role is None:
        raise not_found("document")
    if not role_at_least(role, Role.EDITOR):
        assigned = Assignment.objects.filter(
            document=document, annotator_id=user.pk, kind=AssignmentKind.ANNOTATOR
        ).exists()
        if not assigned:
            raise not_found("document")
    if not role_at_least(role, minimum):
        raise PermissionDeniedError(
            "permission_denied",
            f"This needs the {minimum.value} role in project “{document.project.name}”; "
            f"you are {role.value}.",
        )
    return document


def assignment_of(*, user: User, document: Document) -> Assignment | None:
    return (
        Assignment.objects.filter(
            document=document, annotator_id=user.pk, kind=AssignmentKind.ANNOTATOR
        )
        .select_related("document__project", "annotator")
        .first()
    )


def layer_get(
    *, user: User, document_id: int, annotator: str | None = None, layer: str | None = None
) -> Assignment:
    """The layer whose spans the user reads or writes.

    By default the caller's own assignment; editors may name another annotator's
    (`annotator=`) or a special layer (`layer=gold` or `layer=preannotation`).
    """
    if annotator is None and layer is None:
        own = _own_assignment(user=user, document_id=document_id)
        if own is not None:
            return own
        document_get(user=user, document_id=document_id)
        raise NotFoundError(
            "not_assigned",
            "You have no assignment on this document. Editors may read an annotator's "
            "layer with ?annotator=<username> or the gold layer with ?layer=gold.",
        )
    document = document_get(user=user, document_id=document_id, minimum=Role.EDITOR)
    assignments = Assignment.objects.filter(document=document).select_related(
        "document__project", "annotator"
    )
    if layer is not None:
        if layer not in (AssignmentKind.GOLD, AssignmentKind.PREANNOTATION):
            raise NotFoundError(
                "unknown_layer", f"There is no layer “{layer}”; use gold or preannotation."
            )
        found = assignments.filter(kind=layer).first()
        if found is None:
            raise NotFoundError("no_layer", f"This document has no {layer} layer yet.")
        return found
    found = assignments.filter(kind=AssignmentKind.ANNOTATOR, annotator__username=annotator).first()
    if found is None:
        raise NotFoundError("not_assigned", f"“{annotator}” has no assignment on this document.")
    return found


OWN_LAYER_FIELDS = (
    "id",
    "kind",
    "status",
    "version",
    "submitted_at",
    "reviewed_at",
    "review_comment",
    "annotator__id",
    "annotator__username",
    "document__id",
    "document__accepted_at",
    "document__project__id",
    "document__project__name",
    "document__project__label_schema",
    "document__project__allow_overlap",
    "document__project__annotators_per_document",
)


def _own_assignment(*, user: User, document_id: int) -> Assignment | None:
    """The caller's own layer in one query, if they are still a member of its project.

    This is the path of every autosave, so it loads only what the span and relation
    services read; the article text is re-read under the layer's lock by the writes.
    """
    if not user.is_authenticated:
        return None
    layers = Assignment.objects.filter(
        document_id=document_id,
        annotator_id=user.pk,
        kind=AssignmentKind.ANNOTATOR,
        document__deleted_at__isnull=True,
        document__project__deleted_at__isnull=True,
    )
    if not getattr(user, "is_superuser", False):
        member = Membership.objects.filter(
            project_id=OuterRef("document__project_id"), user_id=user.pk
        )
        layers = layers.filter(Exists(member))
    return layers.select_related("document__project", "annotator").only(*OWN_LAYER_FIELDS).first()


def span_list(*, assignment: Assignment) -> QuerySet[Span]:
    return Span.objects.filter(assignment=assignment).select_related("assignment__annotator")


def relation_list(*, assignment: Assignment) -> QuerySet[Relation]:
    return Relation.objects.filter(assignment=assignment).select_related(
        "from_span", "to_span", "assignment__annotator"
    )


def span_get(*, user: User, span_id: int) -> Span:
    """A span the user may read: their own, or any in a project they edit."""
    span = (
        Span.objects.filter(
            pk=span_id,
            assignment__document__deleted_at__isnull=True,
            assignment__document__project__deleted_at__isnull=True,
        )
        .select_related("assignment__document__project", "assignment__annotator")
        .first()
    )
    if span is None:
        raise not_found("span")
    _ensure_layer_visible(user=user, assignment=span.assignment, what="span")
    return span


def relation_get(*, user: User, relation_id: int) -> Relation:
    relation = (
        Relation.objects.filter(
            pk=relation_id,
            assignment__document__deleted_at__isnull=True,
            assignment__document__project__deleted_at__isnull=True,
        )
        .select_related("assignment__document__project", "assignment__annotator")
        .first()
    )
    if relation is None:
        raise not_found("relation")
    _ensure_layer_visible(user=user, assignment=relation.assignment, what="relation")
    return relation


def _ensure_layer_visible(*, user: User, assignment: Assignment, what: str) -> None:
    role = project_role(user=user, project=assignment.document.project)
    if role is None:
        raise not_found(what)
    if assignment.annotator_id == user.pk and assignment.kind == AssignmentKind.ANNOTATOR:
        return
    if not role_at_least(role, Role.EDITOR):
        raise not_found(what)

"""Reads of documents, assignments, spans and relations, scoped to the user.

Annotators see only the documents assigned to them, and only their own layer: they stay
blind to one another. Editors and admins see every document of their projects.
"""

from collections.abc import Iterator
from typing import Any, TypeVar

from django.contrib.auth.models import User as UserModel
from django.db import connection
from django.db.models import Model, QuerySet

from annotations.errors import NotFoundError, PermissionDeniedError, not_found
from annotations.models import (
    Assignment,
    AssignmentKind,
    Document,
    Project,
    Relation,
    Role,
    Span,
)
from annotations.selectors.access import User, project_get_for_user, project_role, role_at_least

M = TypeVar("M", bound=Model)


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


# What the caller's own layer loads, per table, in the order the query selects it: what the
# span and relation services and their responses read, and not the article text, which the
# writes re-read under the layer's lock.
OWN_LAYER_ASSIGNMENT = (
    "id",
    "document_id",
    "annotator_id",
    "kind",
    "status",
    "version",
    "submitted_at",
    "reviewed_at",
    "review_comment",
)
OWN_LAYER_ANNOTATOR = ("id", "username")
OWN_LAYER_DOCUMENT = ("id", "project_id", "accepted_at")
OWN_LAYER_PROJECT = ("id", "name", "label_schema", "allow_overlap", "annotators_per_document")
# Written out rather than built by the ORM: on the path of every autosave, building and
# compiling this query took the ORM ten times as long as the database took to answer it.
OWN_LAYER_SQL = (
    "SELECT "  # noqa: S608 - the columns are the constants above; values are parameters
    + ", ".join(
        f"{alias}.{column}"
        for alias, columns in (
            ("a", OWN_LAYER_ASSIGNMENT),
            ("u", OWN_LAYER_ANNOTATOR),
            ("d", OWN_LAYER_DOCUMENT),
            ("p", OWN_LAYER_PROJECT),
        )
        for column in columns
    )
    + """
    FROM annotations_assignment a
    JOIN auth_user u ON u.id = a.annotator_id
    JOIN annotations_document d ON d.id = a.document_id
    JOIN annotations_project p ON p.id = d.project_id
    WHERE a.document_id = %s AND a.annotator_id = %s AND a.kind = %s
      AND d.deleted_at IS NULL AND p.deleted_at IS NULL
      AND (%s OR EXISTS (
        SELECT 1 FROM annotations_membership m WHERE m.project_id = p.id AND m.user_id = %s
      ))
    """
)


def _from_row(model: type[M], names: tuple[str, ...], values: Iterator[Any]) -> M:
    """An instance of `model` with only the fields `names` loaded, their values taken from
    the front of `values`, each through the backend's and the field's converters as the ORM
    would."""
    meta = model._meta
    loaded: dict[str, Any] = {}
    for name in names:
        field = meta.get_field(name)
        column = field.get_col(meta.db_table)  # type: ignore[union-attr]
        value = next(values)
        for convert in connection.ops.get_db_converters(column) + column.get_db_converters(
            connection
        ):
            value = convert(value, column, connection)
        loaded[field.attname] = value  # type: ignore[union-attr]
    # from_db takes the values in the model's field order.
    ordered = [loaded[f.attname] for f in meta.concrete_fields if f.attname in loaded]
    return model.from_db(connection.alias, list(loaded), ordered)


def _own_assignment(*, user: User, document_id: int) -> Assignment | None:
    """The caller's own layer in one query, if they are still a member of its project."""
    if not user.is_authenticated:
        return None
    superuser = bool(getattr(user, "is_superuser", False))
    with connection.cursor() as cursor:
        cursor.execute(
            OWN_LAYER_SQL,
            [document_id, user.pk, AssignmentKind.ANNOTATOR.value, superuser, user.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    values = iter(row)
    assignment = _from_row(Assignment, OWN_LAYER_ASSIGNMENT, values)
    assignment.annotator = _from_row(UserModel, OWN_LAYER_ANNOTATOR, values)
    assignment.document = _from_row(Document, OWN_LAYER_DOCUMENT, values)
    assignment.document.project = _from_row(Project, OWN_LAYER_PROJECT, values)
    return assignment


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

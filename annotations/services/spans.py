"""Writes to spans and relations. Every write checks offsets, quote and schema first."""

import uuid
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Q

from annotations.errors import (
    ConflictError,
    Invalid,
    NotFoundError,
    PermissionDeniedError,
    not_found,
)
from annotations.models import (
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Document,
    Relation,
    Role,
    Span,
)
from annotations.schema import (
    attribute_errors,
    enabled_label_names,
    label_definition,
    relation_allowed,
    relation_definition,
)
from annotations.selectors.access import project_role, role_at_least
from annotations.services.audit import audit_record, relation_snapshot, span_snapshot
from annotations.services.review import lease_require
from annotations.services.versions import check_version
from annotations.services.work import document_mark_dirty
from annotations.text import quote_context

QUOTE_PREVIEW = 80


def _preview(text: str) -> str:
    return text if len(text) <= QUOTE_PREVIEW else text[: QUOTE_PREVIEW - 1] + "…"


def check_offsets(*, text: str, start: int, end: int, quote: str) -> None:
    """The offset rule: 0 <= start < end <= len(text) in code points and the quote matches."""
    length = len(text)
    if start < 0:
        raise Invalid(
            "offset_out_of_range", f"start must be 0 or more, not {start}.", field="start"
        )
    if end > length:
        raise Invalid(
            "offset_out_of_range",
            f"end {end} is beyond the end of the text, which has {length} characters "
            "(offsets count Unicode code points).",
            field="end",
        )
    if start >= end:
        raise Invalid(
            "empty_span",
            f"start ({start}) must be less than end ({end}): a span covers at least one character.",
            field="end",
        )
    actual = text[start:end]
    if actual != quote:
        raise Invalid(
            "quote_mismatch",
            f"The quote does not match the text at [{start}, {end}): the text there is "
            f"“{_preview(actual)}” but the quote is “{_preview(quote)}”. Offsets count "
            "Unicode code points, not UTF-16 units or bytes.",
            field="quote",
            details={"expected": actual},
        )


def _ensure_writable(*, assignment: Assignment, actor: User) -> None:
    project = assignment.document.project
    if assignment.kind == AssignmentKind.ANNOTATOR:
        if assignment.annotator_id != actor.pk:
            raise PermissionDeniedError(
                "not_your_layer",
                "This is another annotator's layer: editors compare and adjudicate it into "
                "the gold layer, they do not edit it.",
            )
    else:
        minimum = Role.EDITOR if assignment.kind == AssignmentKind.GOLD else Role.ADMIN
        if not role_at_least(project_role(user=actor, project=project), minimum):
            raise PermissionDeniedError(
                "permission_denied", f"Only a project {minimum.value} may edit this layer."
            )
    if assignment.status in DONE_STATUSES:
        raise ConflictError(
            "assignment_read_only",
            f"This assignment is {assignment.status}, so it is read-only. An editor can send "
            "it back to you for changes.",
        )
    if assignment.document.accepted_at is not None:
        raise ConflictError(
            "document_accepted", "This document has been accepted; its layers are final."
        )
    if assignment.kind == AssignmentKind.GOLD:
        # Gold is adjudicated by one editor at a time: the review lease says who.
        lease_require(document=assignment.document, actor=actor)


def _check_label(
    *, assignment: Assignment, label: str, attributes: dict[str, Any]
) -> dict[str, Any]:
    schema = assignment.document.project.label_schema
    definition = label_definition(schema, label)
    if definition is None or not definition.get("enabled", True):
        allowed = ", ".join(enabled_label_names(schema))
        raise Invalid(
            "unknown_label",
            f"“{label}” is not a label of this project (allowed: {allowed}).",
            field="label",
        )
    errors = attribute_errors(definition, attributes)
    if errors:
        field, message = errors[0]
        raise Invalid(
            "invalid_attribute",
            f"{field}: {message}",
            field=field,
            details={"errors": [{"field": f, "message": m} for f, m in errors]},
        )
    return definition


def _check_overlap(*, assignment: Assignment, start: int, end: int, exclude: int | None) -> None:
    if assignment.document.project.allow_overlap:
        return
    overlapping = Span.objects.filter(assignment=assignment, start__lt=end, end__gt=start)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    clash = overlapping.first()
    if clash is not None:
        raise Invalid(
            "overlap_not_allowed",
            f"This project does not allow overlapping spans, and [{start}, {end}) overlaps "
            f"the {clash.label} span “{_preview(clash.quote)}” at [{clash.start}, {clash.end}).",
            field="start",
            details={"span": clash.pk},
        )


def _record_write(
    *,
    assignment: Assignment,
    actor: User,
    action: str,
    object_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """What every write to a layer does last: a first edit moves the assignment into
    progress, a counted (gold) layer becomes dirty, and the write is audited."""
    if assignment.status == AssignmentStatus.ASSIGNED:
        Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.ASSIGNED).update(
            status=AssignmentStatus.IN_PROGRESS
        )
        assignment.status = AssignmentStatus.IN_PROGRESS
    if assignment.kind == AssignmentKind.GOLD:
        document_mark_dirty(document_id=assignment.document_id)
    audit_record(
        actor=actor,
        project=assignment.document.project,
        action=action,
        object_type=action.split(".")[0],
        object_id=object_id,
        before=before,
        after=after,
    )


# Written out rather than built by the ORM, which took longer to build and compile this
# query than the database took to answer it. The row is the document (so that Django
# converts its columns as usual) with the layer's status and version beside it.
LOCK_SQL = """
SELECT d.id, d.text, d.accepted_at, a.status AS layer_status, a.version AS layer_version
FROM annotations_assignment a JOIN annotations_document d ON d.id = a.document_id
WHERE a.id = %s
"""


def _lock(assignment: Assignment) -> Assignment:
    """Lock the layer so writes to one assignment (and client_id checks) are serialised.

    The same query re-reads what may have changed since the caller loaded the layer (its
    status, the document's acceptance) and the text the offsets are checked against.
    """
    # As select_for_update does, lock only where the database can (not SQLite).
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    row = next(iter(Document.objects.raw(LOCK_SQL + lock, [assignment.pk])), None)
    if row is None:
        raise NotFoundError(
            "not_assigned",
            "This document was taken away from you while you were saving, so nothing was "
            "saved. Reload the page to see your documents.",
        )
    # raw() sets the columns that are not the document's as attributes of the same name.
    assignment.status = row.layer_status  # type: ignore[attr-defined]
    assignment.version = row.layer_version  # type: ignore[attr-defined]
    assignment.document.text = row.text
    assignment.document.accepted_at = row.accepted_at
    return assignment


def span_create(
    *,
    assignment: Assignment,
    actor: User,
    label: str,
    start: int,
    end: int,
    quote: str,
    attributes: dict[str, Any] | None = None,
    note: str = "",
    client_id: uuid.UUID | None = None,
    provenance: dict[str, Any] | None = None,
) -> tuple[Span, bool]:
    """Create a span; returns (span, created). A repeated client_id returns the first span."""
    attributes = attributes or {}
    with transaction.atomic():
        assignment = _lock(assignment)
        if client_id is not None:
            existing = Span.objects.filter(assignment=assignment, client_id=client_id).first()
            if existing is not None:
                return existing, False
        _ensure_writable(assignment=assignment, actor=actor)
        text = assignment.document.text
        check_offsets(text=text, start=start, end=end, quote=quote)
        _check_label(assignment=assignment, label=label, attributes=attributes)
        _check_overlap(assignment=assignment, start=start, end=end, exclude=None)
        prefix, suffix = quote_context(text, start, end)
        span = Span.objects.create(
            assignment=assignment,
            label=label,
            start=start,
            end=end,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            attributes=attributes,
            note=note,
            client_id=client_id,
            provenance=provenance or {},
        )
        _record_write(
            assignment=assignment,
            actor=actor,
            action="span.create",
            object_id=span.pk,
            after=span_snapshot(span),
        )
    return span, True


def _locked_span(span: Span) -> Span:
    """The span re-read under its row lock; 404 if it was deleted since it was loaded (in
    another tab, say)."""
    locked = Span.objects.select_for_update().filter(pk=span.pk).first()
    if locked is None:
        raise not_found("span")
    return locked


def _relations_broken_by_label(span: Span, label: str) -> list[Relation]:
    schema = span.assignment.document.project.label_schema
    broken = []
    relations = Relation.objects.filter(
        Q(from_span=span) | Q(to_span=span), assignment=span.assignment
    ).select_related("from_span", "to_span")
    for relation in relations:
        definition = relation_definition(schema, relation.type)
        from_label = label if relation.from_span_id == span.pk else relation.from_span.label
        to_label = label if relation.to_span_id == span.pk else relation.to_span.label
        if definition is None or not relation_allowed(definition, from_label, to_label):
            broken.append(relation)
    return broken


def span_update(*, span: Span, actor: User, version: int | None, **changes: Any) -> Span:
    """Change a span's label, boundaries, attributes or note, at the version the client saw."""
    with transaction.atomic():
        assignment = _lock(span.assignment)
        span = _locked_span(span)
        span.assignment = assignment
        _ensure_writable(assignment=assignment, actor=actor)
        check_version(span, version, "span")
        before = span_snapshot(span)
        if {"start", "end"} & changes.keys() and "quote" not in changes:
            raise Invalid(
                "quote_required",
                "When you move a span's start or end, send the new quote too, so the server "
                "can check that both sides see the same text.",
                field="quote",
            )
        start = changes.get("start", span.start)
        end = changes.get("end", span.end)
        quote = changes.get("quote", span.quote)
        text = assignment.document.text
        check_offsets(text=text, start=start, end=end, quote=quote)
        label = changes.get("label", span.label)
        if "attributes" in changes:
            attributes = changes["attributes"] or {}
        elif label != span.label:
            definition = label_definition(assignment.document.project.label_schema, label)
            known = {a["name"] for a in definition.get("attributes", [])} if definition else set()
            attributes = {k: v for k, v in span.attributes.items() if k in known}
        else:
            attributes = span.attributes
        _check_label(assignment=assignment, label=label, attributes=attributes)
        if label != span.label:
            broken = _relations_broken_by_label(span, label)
            if broken:
                names = ", ".join(f"{r.type} (relation {r.pk})" for r in broken)
                raise Invalid(
                    "relation_invalid",
                    f"Relabelling this span as {label} would make {names} invalid; delete "
                    "those relations first.",
                    field="label",
                    details={"relations": [r.pk for r in broken]},
                )
        if (start, end) != (span.start, span.end):
            _check_overlap(assignment=assignment, start=start, end=end, exclude=span.pk)
        span.start, span.end, span.quote, span.label = start, end, quote, label
        span.prefix, span.suffix = quote_context(text, start, end)
        span.attributes = attributes
        if "note" in changes:
            span.note = changes["note"]
        span.version += 1
        span.save()
        _record_write(
            assignment=assignment,
            actor=actor,
            action="span.update",
            object_id=span.pk,
            before=before,
            after=span_snapshot(span),
        )
    return span


def span_delete(*, span: Span, actor: User, version: int | None) -> int:
    """Delete a span and the relations that use it, in one transaction and one audit event."""
    with transaction.atomic():
        assignment = _lock(span.assignment)
        span = _locked_span(span)
        span.assignment = assignment
        _ensure_writable(assignment=assignment, actor=actor)
        check_version(span, version, "span")
        relations = list(
            Relation.objects.filter(from_span=span) | Relation.objects.filter(to_span=span)
        )
        before = {**span_snapshot(span), "relations": [relation_snapshot(r) for r in relations]}
        span_id = span.pk
        Relation.objects.filter(pk__in=[r.pk for r in relations]).delete()
        span.delete()
        _record_write(
            assignment=assignment,
            actor=actor,
            action="span.delete",
            object_id=span_id,
            before=before,
        )
    return len(relations)


def _endpoint(
    *, assignment: Assignment, span_id: int | None, client_id: uuid.UUID | None, side: str
) -> Span:
    if span_id is None and client_id is None:
        raise Invalid(
            "endpoint_required",
            f"Name the relation's {side} span by id ({side}_span) or client_id ({side}_client_id).",
            field=f"{side}_span",
        )
    spans = Span.objects.filter(assignment=assignment)
    span = (
        spans.filter(pk=span_id).first()
        if span_id is not None
        else spans.filter(client_id=client_id).first()
    )
    if span is None:
        named = f"id {span_id}" if span_id is not None else f"client_id {client_id}"
        raise Invalid(
            "unknown_span",
            f"The {side} span ({named}) is not in this layer of this document; a relation "
            "links two spans of the same layer.",
            field=f"{side}_span" if span_id is not None else f"{side}_client_id",
        )
    return span


def relation_create(
    *,
    assignment: Assignment,
    actor: User,
    type: str,
    from_span: int | None = None,
    to_span: int | None = None,
    from_client_id: uuid.UUID | None = None,
    to_client_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    provenance: dict[str, Any] | None = None,
) -> tuple[Relation, bool]:
    """Link two spans of one layer; returns (relation, created)."""
    with transaction.atomic():
        assignment = _lock(assignment)
        if client_id is not None:
            existing = Relation.objects.filter(assignment=assignment, client_id=client_id).first()
            if existing is not None:
                return existing, False
        _ensure_writable(assignment=assignment, actor=actor)
        source = _endpoint(
            assignment=assignment, span_id=from_span, client_id=from_client_id, side="from"
        )
        target = _endpoint(
            assignment=assignment, span_id=to_span, client_id=to_client_id, side="to"
        )
        if source.pk == target.pk:
            raise Invalid("self_relation", "A relation links two different spans.", field="to_span")
        schema = assignment.document.project.label_schema
        definition = relation_definition(schema, type)
        if definition is None:
            allowed = ", ".join(r["name"] for r in schema.get("relations", [])) or "none"
            raise Invalid(
                "unknown_relation_type",
                f"“{type}” is not a relation type of this project (allowed: {allowed}).",
                field="type",
            )
        if not relation_allowed(definition, source.label, target.label):
            raise Invalid(
                "relation_not_allowed",
                f"{type} cannot link a {source.label} to a {target.label}; it links "
                f"{' or '.join(definition['from'])} to {' or '.join(definition['to'])}.",
                field="type",
            )
        duplicate = Relation.objects.filter(type=type, from_span=source, to_span=target)
        if definition.get("symmetric"):
            duplicate = duplicate | Relation.objects.filter(
                type=type, from_span=target, to_span=source
            )
        existing = duplicate.first()
        if existing is not None:
            raise ConflictError(
                "relation_exists",
                f"These two spans are already linked by {type} (relation {existing.pk}).",
                details={"current": existing},
            )
        relation = Relation.objects.create(
            assignment=assignment,
            type=type,
            from_span=source,
            to_span=target,
            client_id=client_id,
            provenance=provenance or {},
        )
        _record_write(
            assignment=assignment,
            actor=actor,
            action="relation.create",
            object_id=relation.pk,
            after=relation_snapshot(relation),
        )
    return relation, True


def relation_delete(*, relation: Relation, actor: User) -> None:
    with transaction.atomic():
        assignment = _lock(relation.assignment)
        _ensure_writable(assignment=assignment, actor=actor)
        before = relation_snapshot(relation)
        relation_id = relation.pk
        relation.delete()
        _record_write(
            assignment=assignment,
            actor=actor,
            action="relation.delete",
            object_id=relation_id,
            before=before,
        )

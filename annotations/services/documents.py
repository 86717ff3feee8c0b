"""Writes to documents and assignments: import of one article, assignment, submission."""

from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from annotations.errors import ConflictError, Invalid
from annotations.models import (
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Document,
    DocumentStatus,
    Membership,
    Project,
    Role,
)
from annotations.services.audit import audit_record
from annotations.services.work import document_mark_dirty
from annotations.text import normalize_text, text_hash

OPEN_STATUSES = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.CHANGES_REQUESTED,
)
MAX_TEXT_CHARS = 2_000_000


def document_snapshot(document: Document) -> dict[str, Any]:
    return {
        "title": document.title,
        "text_hash": document.text_hash,
        "length": len(document.text),
        "status": document.status,
        "source_url": document.source_url,
    }


def document_create(
    *,
    project: Project,
    actor: User | None,
    title: str,
    text: str,
    source_url: str = "",
    outlet: str = "",
    author: str = "",
    published_at: date | None = None,
    language: str = "",
    retrieved_at: datetime | None = None,
    retrieved_from: str = "",
    metadata: dict[str, Any] | None = None,
    assign: bool = True,
) -> Document:
    """Store an article with NFC text and `\\n` line endings, then assign it to N annotators."""
    normalized = normalize_text(text)
    if not normalized.strip():
        raise Invalid("empty_text", "The article text is empty.", field="text")
    if len(normalized) > MAX_TEXT_CHARS:
        raise Invalid(
            "text_too_long",
            f"The article has {len(normalized):,} characters; the limit is {MAX_TEXT_CHARS:,}.",
            field="text",
        )
    if not title.strip():
        raise Invalid("empty_title", "The article needs a title.", field="title")
    with transaction.atomic():
        document = Document.objects.create(
            project=project,
            title=title.strip(),
            text=normalized,
            text_hash=text_hash(normalized),
            source_url=source_url,
            outlet=outlet,
            author=author,
            published_at=published_at,
            language=language,
            retrieved_at=retrieved_at,
            retrieved_from=retrieved_from,
            metadata=metadata or {},
        )
        if assign:
            assignments_fill(document=document, actor=actor)
        audit_record(
            actor=actor,
            project=project,
            action="document.create",
            object_type="document",
            object_id=document.pk,
            after=document_snapshot(document),
        )
    return document


def annotator_loads(*, project: Project) -> QuerySet[Any]:
    """The project's active annotators, each with `load`: their open assignments anywhere."""
    return Membership.objects.filter(
        project=project, role=Role.ANNOTATOR, user__is_active=True
    ).annotate(
        load=Count(
            "user__assignments",
            filter=Q(
                user__assignments__status__in=OPEN_STATUSES,
                user__assignments__kind=AssignmentKind.ANNOTATOR,
                user__assignments__document__deleted_at__isnull=True,
            ),
        )
    )


def least_loaded_annotators(*, project: Project, exclude: set[int], count: int) -> list[int]:
    """Annotators of the project with the fewest open assignments, ties by user id."""
    if count <= 0:
        return []
    members = (
        annotator_loads(project=project)
        .exclude(user_id__in=exclude)
        .order_by("load", "user_id")
        .values_list("user_id", flat=True)
    )
    return list(members[:count])


def assignments_fill(*, document: Document, actor: User | None) -> list[Assignment]:
    """Assign the document to annotators until it has the project's N, least-loaded first."""
    project = document.project
    existing = set(
        Assignment.objects.filter(document=document, kind=AssignmentKind.ANNOTATOR).values_list(
            "annotator_id", flat=True
        )
    )
    missing = project.annotators_per_document - len(existing)
    created = [
        Assignment.objects.create(document=document, annotator_id=user_id)
        for user_id in least_loaded_annotators(project=project, exclude=existing, count=missing)
    ]
    for assignment in created:
        audit_record(
            actor=actor,
            project=project,
            action="assignment.create",
            object_type="assignment",
            object_id=assignment.pk,
            after={"document": document.pk, "annotator": assignment.annotator_id},
        )
    if created:
        document_refresh_status(document=document)
    return created


def document_refresh_status(*, document: Document) -> str:
    """Derive the document's status from its assignments (DESIGN.md § Statuses)."""
    statuses = list(
        Assignment.objects.filter(document=document, kind=AssignmentKind.ANNOTATOR).values_list(
            "status", flat=True
        )
    )
    has_gold = Assignment.objects.filter(document=document, kind=AssignmentKind.GOLD).exists()
    done = sum(1 for status in statuses if status in DONE_STATUSES)
    if document.accepted_at is not None:
        status = DocumentStatus.ACCEPTED
    elif has_gold:
        status = DocumentStatus.IN_REVIEW
    elif statuses and done == len(statuses) and done >= document.project.annotators_per_document:
        status = DocumentStatus.SUBMITTED
    elif done > 0:
        status = DocumentStatus.PARTIALLY_SUBMITTED
    else:
        status = DocumentStatus.OPEN
    if status != document.status:
        Document.objects.filter(pk=document.pk).update(status=status)
        document.status = status
    return status


def document_delete(*, document: Document, actor: User) -> None:
    with transaction.atomic():
        Document.objects.filter(pk=document.pk).update(deleted_at=timezone.now())
        audit_record(
            actor=actor,
            project=document.project,
            action="document.delete",
            object_type="document",
            object_id=document.pk,
            before=document_snapshot(document),
        )
        # Its figures leave the project's agreement total when the worker recomputes it.
        document_mark_dirty(document_id=document.pk)


def assignment_snapshot(assignment: Assignment) -> dict[str, Any]:
    return {
        "status": assignment.status,
        "version": assignment.version,
        "submitted_at": assignment.submitted_at.isoformat() if assignment.submitted_at else None,
    }


def assignment_submit(*, assignment: Assignment, actor: User) -> Assignment:
    """Submit an annotator's layer. Submitting twice is one submission, not an error."""
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("document__project", "annotator")
            .get(pk=assignment.pk)
        )
        if assignment.status == AssignmentStatus.SUBMITTED:
            return assignment
        if assignment.status == AssignmentStatus.ACCEPTED:
            raise ConflictError(
                "already_accepted", "An editor has already accepted this assignment."
            )
        if assignment.kind != AssignmentKind.ANNOTATOR:
            raise Invalid("not_submittable", "Only an annotator's layer is submitted.")
        before = assignment_snapshot(assignment)
        assignment.status = AssignmentStatus.SUBMITTED
        assignment.submitted_at = timezone.now()
        assignment.version += 1
        assignment.save(update_fields=["status", "submitted_at", "version", "updated_at"])
        audit_record(
            actor=actor,
            project=assignment.document.project,
            action="assignment.submit",
            object_type="assignment",
            object_id=assignment.pk,
            before=before,
            after=assignment_snapshot(assignment),
        )
        document_refresh_status(document=assignment.document)
        document_mark_dirty(document_id=assignment.document_id)
    return assignment

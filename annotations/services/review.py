"""Review writes around the gold layer: the adjudication lease, reassignment, sending work
back, and the comment thread.

The lease keeps two editors from adjudicating one document at once. Opening a document
claims it for `REVIEW_LEASE_SECONDS`; the page renews it while open. Another editor is
refused while it is live and may take it over explicitly (the holder's page learns it at
its next renewal); an expired lease is simply taken. Every adjudication write calls
`lease_require`, which refuses a live lease of someone else and otherwise claims or
extends the lease for the writer, so the API works without an explicit claim too.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from annotations import clock
from annotations.errors import ConflictError, Invalid, NotFoundError
from annotations.models import (
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Comment,
    Document,
)
from annotations.selectors.review import Lease
from annotations.services.audit import audit_record
from annotations.services.documents import (
    assignment_snapshot,
    document_refresh_status,
    least_loaded_annotators,
)
from annotations.services.versions import check_version
from annotations.services.work import document_mark_dirty

MAX_COMMENT = 10_000


def _when(moment: datetime) -> str:
    return moment.strftime("%H:%M UTC on %d %b")


def _lease_taken(document: Document) -> ConflictError:
    holder = document.lease_holder.get_username() if document.lease_holder else "Another editor"
    expires = document.lease_expires_at
    assert expires is not None
    return ConflictError(
        "lease_taken",
        f"{holder} is adjudicating this document until {_when(expires)}. Wait for them to "
        "finish, or take it over if they have stopped (they will be told).",
        details={"holder": holder, "expires_at": expires.isoformat()},
    )


def _locked(document: Document) -> Document:
    return (
        Document.objects.select_for_update(of=("self",))
        .select_related("lease_holder", "project")
        .get(pk=document.pk)
    )


def _live(document: Document, now: datetime) -> bool:
    return (
        document.lease_holder_id is not None
        and document.lease_expires_at is not None
        and document.lease_expires_at > now
    )


def _extend(document: Document, actor: User, now: datetime) -> None:
    document.lease_holder_id = actor.pk
    document.lease_expires_at = now + timedelta(seconds=settings.REVIEW_LEASE_SECONDS)
    Document.objects.filter(pk=document.pk).update(
        lease_holder_id=actor.pk, lease_expires_at=document.lease_expires_at
    )


def lease_claim(
    *, document: Document, actor: User, takeover: bool = False, now: datetime | None = None
) -> Lease:
    """Claim (or renew) the document for the actor; take it over only when asked to."""
    now = now or clock.now()
    with transaction.atomic():
        document = _locked(document)
        previous: str | None = None
        if _live(document, now) and document.lease_holder_id != actor.pk:
            if not takeover:
                raise _lease_taken(document)
            assert document.lease_holder is not None
            previous = document.lease_holder.get_username()
        renewal = _live(document, now) and document.lease_holder_id == actor.pk
        _extend(document, actor, now)
        if not renewal:
            audit_record(
                actor=actor,
                project=document.project,
                action="review.lease_takeover" if previous else "review.lease_claim",
                object_type="document",
                object_id=document.pk,
                before={"holder": previous} if previous else None,
                after={"holder": actor.get_username(), "expires_at": _iso(document)},
            )
    return Lease(actor.get_username(), document.lease_expires_at, taken_over_from=previous)


def _iso(document: Document) -> str | None:
    return document.lease_expires_at.isoformat() if document.lease_expires_at else None


def lease_release(*, document: Document, actor: User, now: datetime | None = None) -> None:
    """Give the document back. Only the holder's own lease is released; anything else is a
    no-op, so a page closing after a takeover cannot free the new holder's lease."""
    now = now or clock.now()
    with transaction.atomic():
        document = _locked(document)
        if document.lease_holder_id != actor.pk or not _live(document, now):
            return
        Document.objects.filter(pk=document.pk).update(lease_holder=None, lease_expires_at=None)
        audit_record(
            actor=actor,
            project=document.project,
            action="review.lease_release",
            object_type="document",
            object_id=document.pk,
            before={"holder": actor.get_username()},
        )


def lease_require(*, document: Document, actor: User, now: datetime | None = None) -> Document:
    """Inside an adjudication write: refuse if another editor holds the document, otherwise
    claim or extend the lease for the actor. Returns the document, locked."""
    now = now or clock.now()
    document = _locked(document)
    if _live(document, now) and document.lease_holder_id != actor.pk:
        raise _lease_taken(document)
    _extend(document, actor, now)
    return document


def adjudicating(*, document: Document, actor: User, now: datetime | None = None) -> Document:
    """Start an adjudication write: lock the gold layer (if there is one), then the document
    with the lease, and refuse an accepted document. Returns the document, locked (the
    comparison the write loads next has the gold layer).

    The gold layer before the document: the order in which the span services take them
    (layer, then the lease), so that an editor's decision and their page's autosave of a
    gold span cannot deadlock.
    """
    # Read for its lock only.
    Assignment.objects.select_for_update(of=("self",)).filter(
        document=document, kind=AssignmentKind.GOLD
    ).first()
    document = lease_require(document=document, actor=actor, now=now)
    ensure_not_accepted(document)
    return document


def ensure_not_accepted(document: Document) -> None:
    if document.accepted_at is not None:
        raise ConflictError(
            "document_accepted",
            f"This document was accepted on {document.accepted_at:%d %b %Y}; its gold layer "
            "is final.",
        )


def _annotator_assignment(document: Document, username: str, *, lock: bool = False) -> Assignment:
    assignments = Assignment.objects.filter(
        document=document, kind=AssignmentKind.ANNOTATOR, annotator__username=username
    ).select_related("annotator", "document__project")
    if lock:
        assignments = assignments.select_for_update(of=("self",))
    assignment = assignments.first()
    if assignment is None:
        raise NotFoundError(
            "not_assigned", f"“{username}” has no assignment on this document.", field="annotator"
        )
    return assignment


def assignment_add(
    *, document: Document, actor: User, username: str | None = None, least_loaded: bool = False
) -> Assignment:
    """Give the document to one more annotator: a named member, or the least-loaded one."""
    with transaction.atomic():
        document = _locked(document)
        ensure_not_accepted(document)
        project = document.project
        existing = set(
            Assignment.objects.filter(document=document, kind=AssignmentKind.ANNOTATOR).values_list(
                "annotator_id", flat=True
            )
        )
        if least_loaded:
            picked = least_loaded_annotators(project=project, exclude=existing, count=1)
            if not picked:
                raise ConflictError(
                    "no_annotator_available",
                    "Every annotator of this project already has this document; add an "
                    "annotator to the project first.",
                )
            annotator = User.objects.get(pk=picked[0])
        else:
            if not username:
                raise Invalid(
                    "annotator_required",
                    "Name the annotator (annotator) or ask for the least-loaded one "
                    "(least_loaded: true).",
                    field="annotator",
                )
            member = User.objects.filter(
                memberships__project=project, username=username, is_active=True
            ).first()
            if member is None:
                raise Invalid(
                    "not_a_member",
                    f"“{username}” is not a member of project “{project.name}”; add them to "
                    "the project first.",
                    field="annotator",
                )
            if member.pk in existing:
                raise ConflictError(
                    "already_assigned",
                    f"“{username}” already has this document.",
                    field="annotator",
                )
            annotator = member
        # Created with the annotator already loaded: the answer shows their name.
        assignment = Assignment.objects.create(document=document, annotator=annotator)
        audit_record(
            actor=actor,
            project=project,
            action="assignment.create",
            object_type="assignment",
            object_id=assignment.pk,
            after={
                "document": document.pk,
                "annotator": assignment.annotator_id,
                "username": annotator.get_username(),
                "rule": "least_loaded" if least_loaded else "editor",
            },
        )
        document_refresh_status(document=document)
    return assignment


def assignment_remove(
    *, document: Document, actor: User, username: str, version: int | None
) -> None:
    """Take the document away from an annotator, with their layer (not once accepted)."""
    with transaction.atomic():
        # The layer before the document, as submitting and the span services lock them.
        assignment = _annotator_assignment(document, username, lock=True)
        document = _locked(document)
        ensure_not_accepted(document)
        check_version(assignment, version, "assignment")
        spans = assignment.spans.count()
        before = {
            **assignment_snapshot(assignment),
            "document": document.pk,
            "username": username,
            "spans": spans,
        }
        counted = assignment.status in DONE_STATUSES
        assignment_id = assignment.pk
        assignment.delete()
        audit_record(
            actor=actor,
            project=document.project,
            action="assignment.delete",
            object_type="assignment",
            object_id=assignment_id,
            before=before,
        )
        document_refresh_status(document=document)
        if counted:
            document_mark_dirty(document_id=document.pk)


def _comment_body(body: str) -> str:
    body = body.strip()
    if not body:
        raise Invalid("comment_required", "Write a comment: it cannot be empty.", field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(
            "comment_too_long",
            f"The comment has {len(body):,} characters; the limit is {MAX_COMMENT:,}.",
            field="body",
        )
    return body


def comment_create(
    *,
    document: Document,
    actor: User,
    body: str,
    assignment: Assignment | None = None,
    annotator: str | None = None,
) -> Comment:
    """Add to the document's thread: about `assignment` (an annotator's own), about the
    assignment of the `annotator` an editor names, or, with neither, among editors."""
    if assignment is None and annotator:
        assignment = _annotator_assignment(document, annotator)
    body = _comment_body(body)
    with transaction.atomic():
        comment = Comment.objects.create(
            document=document, author_id=actor.pk, assignment=assignment, body=body
        )
        audit_record(
            actor=actor,
            project=document.project,
            action="comment.create",
            object_type="comment",
            object_id=comment.pk,
            after=_comment_snapshot(comment),
        )
    return comment


def _comment_snapshot(comment: Comment) -> dict[str, Any]:
    return {
        "document": comment.document_id,
        "assignment": comment.assignment_id,
        "body": comment.body,
    }


def assignment_send_back(
    *, document: Document, actor: User, username: str, comment: str, now: datetime | None = None
) -> Assignment:
    """Return a submitted layer to its annotator with a comment: `changes_requested`.

    The layer leaves the comparison (and agreement) until it is resubmitted, when the
    document comes back to the queue and is recomputed.
    """
    body = _comment_body(comment)
    now = now or clock.now()
    with transaction.atomic():
        # The layer before the document, as submitting and the span services lock them.
        assignment = _annotator_assignment(document, username, lock=True)
        document = lease_require(document=document, actor=actor, now=now)
        ensure_not_accepted(document)
        if assignment.status != AssignmentStatus.SUBMITTED:
            raise ConflictError(
                "not_submitted",
                f"{username}'s assignment is {assignment.get_status_display().lower()}, not "
                "submitted: only submitted work can be sent back.",
                field="annotator",
            )
        before = assignment_snapshot(assignment)
        assignment.status = AssignmentStatus.CHANGES_REQUESTED
        assignment.review_comment = body
        assignment.reviewed_at = now
        assignment.version += 1
        assignment.save(
            update_fields=["status", "review_comment", "reviewed_at", "version", "updated_at"]
        )
        Comment.objects.create(
            document=document, author_id=actor.pk, assignment=assignment, body=body
        )
        audit_record(
            actor=actor,
            project=document.project,
            action="assignment.send_back",
            object_type="assignment",
            object_id=assignment.pk,
            before=before,
            after={
                **assignment_snapshot(assignment),
                "document": document.pk,
                "username": username,
                "comment": body,
            },
        )
        document_refresh_status(document=document)
        document_mark_dirty(document_id=document.pk)
    return assignment

"""Reads for editors: what they may review, a document under review and its lease, its
comments, history and verdicts (the queue is in review_queue.py, annotator quality in
quality.py).

Everything here is for a project's editors and admins. Anyone else (annotators included)
gets the same 404 as for something that does not exist: review shows how others
annotated, and annotators stay blind to that. The comment thread is the exception: an
annotator reads and writes the thread of their own assignment.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db.models import (
    QuerySet,
)

from annotations import clock
from annotations.errors import not_found
from annotations.models import (
    ROLE_RANK,
    Assignment,
    AssignmentKind,
    Comment,
    Document,
    Membership,
    Project,
    Role,
    Span,
    Verdict,
)
from annotations.selectors.access import User, project_role, projects_visible, role_at_least
from annotations.selectors.documents import span_get


def editable_projects(*, user: User) -> QuerySet[Project]:
    """Projects where the user is an editor or admin (a site admin: every live project)."""
    visible = projects_visible(user=user)
    if getattr(user, "is_superuser", False):
        return visible
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.EDITOR]]
    return visible.filter(memberships__user_id=cast(int, user.pk), memberships__role__in=roles)


def active_members(*, projects: list[Project]) -> dict[int, list[str]]:
    """The usernames of each project's active members, by name: whom an editor may assign."""
    members: dict[int, list[str]] = {}
    for project_id, username in (
        Membership.objects.filter(project__in=projects, user__is_active=True)
        .order_by("user__username")
        .values_list("project_id", "user__username")
    ):
        members.setdefault(project_id, []).append(username)
    return members


def review_document_get(*, user: User, document_id: int) -> Document:
    """A document of a project the user edits, else 404 (annotators included)."""
    document = (
        Document.objects.filter(pk=document_id, deleted_at__isnull=True)
        .select_related("project", "lease_holder", "accepted_by")
        .first()
    )
    if document is None or document.project.deleted_at is not None:
        raise not_found("document")
    if not role_at_least(project_role(user=user, project=document.project), Role.EDITOR):
        raise not_found("document")
    return document


def review_project_get(*, user: User, project_id: int) -> Project:
    project = editable_projects(user=user).filter(pk=project_id).first()
    if project is None:
        raise not_found("project")
    return project


def annotator_assignments(*, document: Document) -> QuerySet[Assignment]:
    """The document's annotator layers (not gold or pre-annotation), with their annotators;
    the document comes from review_document_get."""
    return Assignment.objects.filter(
        document=document, kind=AssignmentKind.ANNOTATOR
    ).select_related("annotator")


def layer_shown(assignment: Assignment) -> dict[str, Any]:
    """An annotator's layer as the queue and the review show it (each adds its own facts)."""
    return {
        "username": assignment.annotator.get_username() if assignment.annotator else None,
        "status": assignment.status,
        "version": assignment.version,
        "submitted_at": assignment.submitted_at,
        "review_comment": assignment.review_comment,
    }


@dataclass(frozen=True)
class Lease:
    holder: str | None
    expires_at: datetime | None
    taken_over_from: str | None = None

    def shown(self) -> dict[str, Any] | None:
        """The lease as the queue and the review show it: None when the document is free."""
        return {"holder": self.holder, "expires_at": self.expires_at} if self.holder else None


def lease_of(document: Document, now: datetime | None = None) -> Lease:
    """The document's review lease as it stands (no holder when free or expired)."""
    now = now or clock.now()
    live = document.lease_expires_at is not None and document.lease_expires_at > now
    if not live or document.lease_holder is None:
        return Lease(holder=None, expires_at=None)
    return Lease(holder=document.lease_holder.get_username(), expires_at=document.lease_expires_at)


def comments_visible(
    *, user: User, document_id: int
) -> tuple[Document, QuerySet[Comment], Assignment | None]:
    """The document's thread as the user may read it, and the assignment an annotator's
    own comments belong to (None for editors).

    Editors read every comment of the document. An annotator reads the thread of their own
    assignment only: what an editor told another annotator is not theirs to see.
    """
    document = (
        Document.objects.filter(pk=document_id, deleted_at__isnull=True)
        .select_related("project")
        .first()
    )
    if document is None or document.project.deleted_at is not None:
        raise not_found("document")
    role = project_role(user=user, project=document.project)
    if role is None:
        raise not_found("document")
    comments = Comment.objects.filter(document=document).select_related(
        "author", "assignment__annotator"
    )
    if role_at_least(role, Role.EDITOR):
        return document, comments, None
    own = Assignment.objects.filter(
        document=document, kind=AssignmentKind.ANNOTATOR, annotator_id=user.pk
    ).first()
    if own is None:
        raise not_found("document")
    return document, comments.filter(assignment=own), own


def verdicts_of(*, document: Document) -> QuerySet[Verdict]:
    """The verdicts on the document's gold claims, with what their serializer reads (the
    rating scale is the project's)."""
    return Verdict.objects.filter(
        span__assignment__document=document, span__assignment__kind=AssignmentKind.GOLD
    ).select_related("span__assignment__document__project", "updated_by")


def verdict_get(*, user: User, span_id: int) -> tuple[Span, Verdict | None]:
    """A span of a document the user reviews, and its verdict if it has one."""
    span = span_get(user=user, span_id=span_id)
    assignment = span.assignment
    # span_get also lets an annotator read their own layer; verdicts are for editors only.
    own = assignment.kind == AssignmentKind.ANNOTATOR and assignment.annotator_id == user.pk
    if own and not role_at_least(
        project_role(user=user, project=assignment.document.project), Role.EDITOR
    ):
        raise not_found("span")
    verdict = Verdict.objects.filter(span=span).select_related("updated_by").first()
    if verdict is not None:
        verdict.span = span  # loaded with the project whose rating scale the serializer reads
    return span, verdict

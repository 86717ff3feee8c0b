"""Reads for editors: the review queue, a document under review, its comments and history,
and each annotator's quality against gold.

Everything here is for a project's editors and admins. Anyone else (annotators included)
gets the same 404 as for something that does not exist: review shows how others
annotated, and annotators stay blind to that. The comment thread is the exception: an
annotator reads and writes the thread of their own assignment.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast, overload

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone

from annotations import clock
from annotations.errors import NotFoundError, not_found
from annotations.models import (
    ROLE_RANK,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    AuditEvent,
    Comment,
    Document,
    DocumentStatus,
    Project,
    Role,
    Span,
    Verdict,
)
from annotations.selectors.access import User, project_role, projects_visible, role_at_least

COUNTED_STATUSES = (AssignmentStatus.SUBMITTED, AssignmentStatus.ACCEPTED)
# The queue's review states: the document's own status, except that a document waiting
# for an annotator to redo sent-back work is "changes_requested" until they resubmit.
CHANGES_REQUESTED = "changes_requested"
REVIEW_STATES = (
    DocumentStatus.PARTIALLY_SUBMITTED.value,
    DocumentStatus.SUBMITTED.value,
    DocumentStatus.IN_REVIEW.value,
    CHANGES_REQUESTED,
    DocumentStatus.ACCEPTED.value,
)
TO_REVIEW = REVIEW_STATES[:3]
ORDERINGS: dict[str, tuple[Any, ...]] = {
    "agreement": (F("agreement_value").asc(nulls_last=True), "id"),
    "-agreement": (F("agreement_value").desc(nulls_last=True), "id"),
    "submitted": (F("last_submitted_at").asc(nulls_last=True), "id"),
    "-submitted": (F("last_submitted_at").desc(nulls_last=True), "id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "published": (F("published_at").asc(nulls_last=True), "id"),
    "-published": (F("published_at").desc(nulls_last=True), "id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
}
QUEUE_FIELDS = (
    "id",
    "title",
    "project__id",
    "project__name",
    "project__annotators_per_document",
    "outlet",
    "published_at",
    "created_at",
    "status",
    "accepted_at",
    "agreement_value",
    "label_counts",
    "lease_holder__username",
    "lease_expires_at",
)


def editable_projects(*, user: User) -> QuerySet[Project]:
    """Projects where the user is an editor or admin (a site admin: every live project)."""
    visible = projects_visible(user=user)
    if getattr(user, "is_superuser", False):
        return visible
    roles = [role for role, rank in ROLE_RANK.items() if rank >= ROLE_RANK[Role.EDITOR]]
    return visible.filter(memberships__user_id=cast(int, user.pk), memberships__role__in=roles)


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


@dataclass(frozen=True)
class Lease:
    holder: str | None
    expires_at: datetime | None
    taken_over_from: str | None = None


def lease_of(document: Document, now: datetime | None = None) -> Lease:
    """The document's review lease as it stands (no holder when free or expired)."""
    now = now or clock.now()
    live = document.lease_expires_at is not None and document.lease_expires_at > now
    if not live or document.lease_holder is None:
        return Lease(holder=None, expires_at=None)
    return Lease(holder=document.lease_holder.get_username(), expires_at=document.lease_expires_at)


@dataclass
class QueueFilters:
    project: int | None = None
    states: list[str] = field(default_factory=lambda: list(TO_REVIEW))
    label: str | None = None
    annotator: str | None = None
    agreement_min: float | None = None
    agreement_max: float | None = None
    agreement_undefined: bool | None = None
    submitted_after: date | None = None
    submitted_before: date | None = None
    q: str = ""
    ordering: str = "agreement"


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass
class Queue:
    """The documents to review in order, and the count of every review state under the
    same filters (the state filter itself aside): the documents shown add up to `total`."""

    documents: QuerySet[Document]
    counts: dict[str, int]
    total: int


class Counted(Sequence[Document]):
    """A queryset whose length is already known, so paginating it counts no rows again
    (Django's paginator takes len() of what is not a queryset)."""

    ordered = True

    def __init__(self, queryset: QuerySet[Document], total: int) -> None:
        self.queryset = queryset
        self.total = total

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Document: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Document]: ...

    def __getitem__(self, index: int | slice) -> Document | Sequence[Document]:
        if isinstance(index, slice):
            return list(self.queryset[index])
        return self.queryset[index]


def review_queue(*, user: User, filters: QueueFilters) -> Queue:
    """The documents to review in the editor's projects, as the filters say."""
    projects = editable_projects(user=user)
    if filters.project is not None:
        projects = projects.filter(pk=filters.project)
        if not projects.exists():
            raise not_found("project")
    elif not projects.exists():
        raise NotFoundError(
            "not_found", "The review queue is for the editors of a project; you edit none."
        )
    waiting = Exists(
        Assignment.objects.filter(
            document=OuterRef("pk"),
            kind=AssignmentKind.ANNOTATOR,
            status=AssignmentStatus.CHANGES_REQUESTED,
        )
    )
    # Any: the stubs cannot follow filters on the annotations made here.
    documents: QuerySet[Any] = (
        Document.objects.filter(project__in=projects, deleted_at__isnull=True)
        .annotate(waiting=waiting)
        .filter(Q(waiting=True) | ~Q(status=DocumentStatus.OPEN))
        .annotate(
            review_state=Case(
                When(status=DocumentStatus.ACCEPTED, then=Value(DocumentStatus.ACCEPTED.value)),
                When(waiting=True, then=Value(CHANGES_REQUESTED)),
                default=F("status"),
                output_field=CharField(),
            )
        )
    )
    documents = _filtered(documents, filters)
    counts = {state: 0 for state in REVIEW_STATES}
    for row in documents.order_by().values("review_state").annotate(n=Count("id")):
        counts[row["review_state"]] = row["n"]
    documents = documents.filter(review_state__in=filters.states)
    if filters.ordering in ("submitted", "-submitted"):
        documents = documents.alias(last_submitted_at=_last_submitted())
    return Queue(
        documents=documents.order_by(*ORDERINGS[filters.ordering]),
        counts=counts,
        total=sum(counts[state] for state in filters.states),
    )


def _has_label(label: str) -> Any:
    """Some submitted layer of the document has a span with this label.

    On PostgreSQL this reads the label counts kept on each document for the queue (a JSON
    path over 10,000 small objects beats joining every span); elsewhere, the spans.
    """
    if connection.vendor == "postgresql":
        # The label is a schema name ([a-z][a-z0-9_]*, checked by the API), safe in a path.
        return RawSQL(  # noqa: S611 - our table's name; the label is a parameter
            f'"{Document._meta.db_table}"."label_counts" @? %s',
            (f'$.*."{label}"',),
            output_field=BooleanField(),
        )
    return Exists(
        Span.objects.filter(
            assignment__document=OuterRef("pk"),
            assignment__kind=AssignmentKind.ANNOTATOR,
            assignment__status__in=COUNTED_STATUSES,
            label=label,
        )
    )


def _last_submitted() -> Subquery:
    return Subquery(
        Assignment.objects.filter(
            document=OuterRef("pk"), kind=AssignmentKind.ANNOTATOR, submitted_at__isnull=False
        )
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )


def _filtered(documents: QuerySet[Any], filters: QueueFilters) -> QuerySet[Any]:
    if filters.label:
        documents = documents.filter(_has_label(filters.label))
    if filters.annotator:
        annotator = (
            get_user_model()
            .objects.filter(username=filters.annotator)
            .values_list("pk", flat=True)
            .first()
        )
        documents = documents.filter(
            Exists(
                Assignment.objects.filter(
                    document=OuterRef("pk"), kind=AssignmentKind.ANNOTATOR, annotator_id=annotator
                )
            )
        )
    if filters.agreement_min is not None:
        documents = documents.filter(agreement_value__gte=filters.agreement_min)
    if filters.agreement_max is not None:
        documents = documents.filter(agreement_value__lte=filters.agreement_max)
    if filters.agreement_undefined is not None:
        documents = documents.filter(agreement_value__isnull=filters.agreement_undefined)
    if filters.submitted_after or filters.submitted_before:
        submitted = Assignment.objects.filter(
            document=OuterRef("pk"), kind=AssignmentKind.ANNOTATOR
        )
        if filters.submitted_after:
            submitted = submitted.filter(submitted_at__gte=_day_start(filters.submitted_after))
        if filters.submitted_before:
            # The day named is included: before the start of the day after it.
            end = _day_start(filters.submitted_before) + timedelta(days=1)
            submitted = submitted.filter(submitted_at__lt=end)
        documents = documents.filter(Exists(submitted))
    if filters.q:
        documents = documents.filter(title__icontains=filters.q)
    return documents


def queue_rows(documents: list[Document]) -> list[dict[str, Any]]:
    """One row per document of a page of the queue: two queries for the whole page."""
    ids = [d.pk for d in documents]
    assignments: dict[int, list[Assignment]] = {}
    for assignment in (
        Assignment.objects.filter(document_id__in=ids, kind=AssignmentKind.ANNOTATOR)
        .select_related("annotator")
        .only(
            "id",
            "document_id",
            "status",
            "submitted_at",
            "review_comment",
            "version",
            "annotator__username",
        )
        .order_by("annotator__username")
    ):
        assignments.setdefault(assignment.document_id, []).append(assignment)
    now = clock.now()
    rows = []
    for document in documents:
        layers = assignments.get(document.pk, [])
        counts = document.label_counts or {}
        submitted = [a.submitted_at for a in layers if a.status in COUNTED_STATUSES]
        lease_live = document.lease_expires_at is not None and document.lease_expires_at > now
        rows.append(
            {
                "id": document.pk,
                "title": document.title,
                "project": {"id": document.project.pk, "name": document.project.name},
                "outlet": document.outlet,
                "published_at": document.published_at,
                "created_at": document.created_at,
                "status": document.status,
                "review_state": getattr(document, "review_state", document.status),
                "agreement": document.agreement_value,
                "annotators_per_document": document.project.annotators_per_document,
                "submitted": len(submitted),
                "last_submitted_at": max((s for s in submitted if s), default=None),
                "annotators": [
                    {
                        "username": a.annotator.get_username() if a.annotator else None,
                        "status": a.status,
                        "version": a.version,
                        "submitted_at": a.submitted_at,
                        "review_comment": a.review_comment,
                        "label_counts": _label_counts(counts, a),
                    }
                    for a in layers
                ],
                "lease": {
                    "holder": document.lease_holder.get_username(),
                    "expires_at": document.lease_expires_at,
                }
                if lease_live and document.lease_holder
                else None,
                "accepted_at": document.accepted_at,
            }
        )
    return rows


def _label_counts(counts: dict[str, Any], assignment: Assignment) -> dict[str, int] | None:
    """A layer's spans per label, by label name; None until the background count (done
    after each submission) has seen the layer."""
    mine = counts.get(assignment.annotator.get_username()) if assignment.annotator else None
    return None if mine is None else dict(sorted(mine.items()))


def queue_page_documents(queue: Queue) -> Counted:
    """The queue's documents narrowed to the columns a row shows (never the article text),
    ready to paginate."""
    return Counted(
        queue.documents.select_related("project", "lease_holder").only(*QUEUE_FIELDS),
        queue.total,
    )


def comments_visible(*, user: User, document_id: int) -> tuple[Document, QuerySet[Comment], Any]:
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


def document_history(*, document: Document) -> QuerySet[AuditEvent]:
    """Who decided what about the document, and when, oldest first: the document's own
    events, its assignments' (removed ones too), gold edits, verdicts and comments."""
    assignment_ids = list(Assignment.objects.filter(document=document).values_list("pk", flat=True))
    gold = [
        pk
        for pk in Assignment.objects.filter(
            document=document, kind=AssignmentKind.GOLD
        ).values_list("pk", flat=True)
    ]
    about = (
        Q(object_type="document", object_id=document.pk)
        | Q(object_type="assignment", object_id__in=assignment_ids)
        | Q(object_type__in=("assignment", "verdict", "comment"), after__document=document.pk)
        | Q(object_type__in=("assignment", "verdict", "comment"), before__document=document.pk)
    )
    if gold:
        about |= Q(object_type__in=("span", "relation"), after__assignment=gold[0]) | Q(
            object_type__in=("span", "relation"), before__assignment=gold[0]
        )
    return (
        AuditEvent.objects.filter(about, project=document.project)
        .select_related("actor")
        .order_by("created_at", "id")
    )


def verdicts_of(*, document: Document) -> QuerySet[Verdict]:
    return Verdict.objects.filter(
        span__assignment__document=document, span__assignment__kind=AssignmentKind.GOLD
    ).select_related("span", "updated_by")


def verdict_get(*, user: User, span_id: int) -> tuple[Span, Verdict | None]:
    """A gold span of a document the user reviews, and its verdict if it has one."""
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
    if not role_at_least(
        project_role(user=user, project=span.assignment.document.project), Role.EDITOR
    ):
        raise not_found("span")
    verdict = (
        Verdict.objects.filter(span=span).select_related("span__assignment", "updated_by").first()
    )
    return span, verdict

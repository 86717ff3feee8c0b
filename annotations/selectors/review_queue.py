"""The review queue: the documents to review in an editor's projects, filtered, sorted and
counted per review state, and the rows a page of it shows.

A document's review state is its own status, except that one waiting for an annotator to
redo sent-back work is "changes_requested" until they resubmit. Counts come from an index
alone (migration 0004) and the default order walks another, so 10,000 documents cost a few
milliseconds; the article text is never read.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, overload

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
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    Document,
    DocumentStatus,
    Span,
)
from annotations.selectors.access import User
from annotations.selectors.review import editable_projects, layer_shown, lease_of

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
            assignment__status__in=DONE_STATUSES,
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
        submitted = [a.submitted_at for a in layers if a.status in DONE_STATUSES]
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
                    {**layer_shown(a), "label_counts": _label_counts(counts, a)} for a in layers
                ],
                "lease": lease_of(document, now).shown(),
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

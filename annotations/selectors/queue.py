"""The annotator's queue: their assignments per project, and what to work on next."""

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from annotations.models import Assignment, AssignmentKind, AssignmentStatus, Project
from annotations.selectors.access import User, projects_visible

# What to open first: work sent back by an editor, then work already started, then new work.
NEXT_ORDER = (
    AssignmentStatus.CHANGES_REQUESTED,
    AssignmentStatus.IN_PROGRESS,
    AssignmentStatus.ASSIGNED,
)
OPEN_STATUSES = frozenset(NEXT_ORDER)


@dataclass
class ProjectQueue:
    project: Project
    assignments: list[Assignment] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def to_do(self) -> int:
        return sum(self.counts.get(status, 0) for status in OPEN_STATUSES)


def _open_first(assignment: Assignment) -> tuple[int, int]:
    status = AssignmentStatus(assignment.status)
    rank = NEXT_ORDER.index(status) if status in OPEN_STATUSES else len(NEXT_ORDER)
    return rank, assignment.document_id


def _my_assignments(*, user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(
        annotator_id=user.pk,
        kind=AssignmentKind.ANNOTATOR,
        document__deleted_at__isnull=True,
        # Someone removed from a project keeps their rows, but no longer sees its work.
        document__project__in=projects_visible(user=user),
    ).select_related("document__project")


def queue_for_user(*, user: User) -> list[ProjectQueue]:
    """The user's own annotation assignments, grouped by project, open work first."""
    assignments = (
        _my_assignments(user=user)
        .annotate(span_count=Count("spans", distinct=True))
        .order_by("document__project_id", "document_id")
    )
    queues: dict[int, ProjectQueue] = {}
    for assignment in assignments:
        project = assignment.document.project
        queue = queues.setdefault(project.pk, ProjectQueue(project=project))
        queue.assignments.append(assignment)
        queue.counts[assignment.status] = queue.counts.get(assignment.status, 0) + 1
    for queue in queues.values():
        queue.assignments.sort(key=_open_first)
    return list(queues.values())


def next_in(queues: list[ProjectQueue]) -> Assignment | None:
    """The first open assignment of queues already loaded, as `next_assignment` would choose."""
    return min(
        (a for queue in queues for a in queue.assignments if a.status in OPEN_STATUSES),
        key=_open_first,
        default=None,
    )


def next_assignment(*, user: User, exclude_document_id: int | None = None) -> Assignment | None:
    """The assignment to open next, in any project: the first open one of the queue."""
    # No span counts here: the annotate page asks this on every load of a large article.
    candidates = _my_assignments(user=user).filter(status__in=OPEN_STATUSES)
    if exclude_document_id is not None:
        candidates = candidates.exclude(document_id=exclude_document_id)
    return min(candidates, key=_open_first, default=None)

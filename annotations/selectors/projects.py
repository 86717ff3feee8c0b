"""Reads of projects and memberships, scoped to the user."""

from django.db.models import QuerySet

from annotations.errors import NotFoundError
from annotations.models import Assignment, AssignmentKind, Membership, Project, Role
from annotations.selectors.access import User, project_get_for_user, projects_visible


def project_list(*, user: User) -> QuerySet[Project]:
    return projects_visible(user=user).order_by("id")


def projects_administered(*, user: User) -> QuerySet[Project]:
    """The projects whose set-up pages the user may open: all for a site admin, else those
    they are an admin of; by name."""
    projects = projects_visible(user=user).order_by("name")
    if not user.is_authenticated or getattr(user, "is_superuser", False):
        return projects
    return projects.filter(memberships__user_id=user.pk, memberships__role=Role.ADMIN)


def project_members(*, project: Project) -> QuerySet[Membership]:
    """A project's memberships with their users, by username (the caller checked access)."""
    return (
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )


def project_annotators(*, project: Project) -> QuerySet[Assignment]:
    """The annotator layers of a project's documents (the caller checked access)."""
    return Assignment.objects.filter(document__project=project, kind=AssignmentKind.ANNOTATOR)


def membership_list(*, user: User, project_id: int) -> QuerySet[Membership]:
    project = project_get_for_user(user=user, project_id=project_id, minimum=Role.EDITOR)
    return Membership.objects.filter(project=project).select_related("user").order_by("id")


def membership_get(*, user: User, project_id: int, username: str) -> Membership:
    project = project_get_for_user(user=user, project_id=project_id, minimum=Role.ADMIN)
    membership = (
        Membership.objects.filter(project=project, user__username=username)
        .select_related("user", "project")
        .first()
    )
    if membership is None:
        raise NotFoundError(
            "not_found", f"“{username}” is not a member of project “{project.name}”."
        )
    return membership

"""Reads of projects and memberships, scoped to the user."""

from django.db.models import QuerySet

from annotations.errors import NotFoundError
from annotations.models import Membership, Project, Role
from annotations.selectors.access import User, project_get_for_user, projects_visible


def project_list(*, user: User) -> QuerySet[Project]:
    return projects_visible(user=user).order_by("id")


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

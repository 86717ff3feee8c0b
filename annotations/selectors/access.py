"""Who may see what: every read of a client-supplied id goes through here."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from annotations.errors import PermissionDeniedError, not_found
from annotations.models import ROLE_RANK, Membership, Project, Role

User = AbstractBaseUser | AnonymousUser


def project_role(*, user: User, project: Project) -> Role | None:
    """The user's role in the project; a site admin is admin of every project."""
    if not user.is_authenticated:
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    role = (
        Membership.objects.filter(project=project, user_id=user.pk)
        .values_list("role", flat=True)
        .first()
    )
    return Role(role) if role else None


def role_at_least(role: Role | None, minimum: Role) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def projects_visible(*, user: User) -> QuerySet[Project]:
    live = Project.objects.filter(deleted_at__isnull=True)
    if not user.is_authenticated:
        return live.none()
    if getattr(user, "is_superuser", False):
        return live
    return live.filter(memberships__user_id=user.pk)


def project_get_for_user(*, user: User, project_id: int, minimum: Role = Role.ANNOTATOR) -> Project:
    """The project if the user has at least `minimum` there: 404 for non-members, 403 below."""
    project = projects_visible(user=user).filter(pk=project_id).first()
    if project is None:
        raise not_found("project")
    role = project_role(user=user, project=project)
    if not role_at_least(role, minimum):
        raise PermissionDeniedError(
            "permission_denied",
            f"This needs the {minimum.value} role in project “{project.name}”; "
            f"you are {role.value if role else 'not a member'}.",
        )
    return project

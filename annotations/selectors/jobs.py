"""Reads of import and export jobs: project admins only."""

from django.db.models import QuerySet

from annotations.errors import NotFoundError
from annotations.models import Job, Project, Role
from annotations.selectors.access import User, project_get_for_user


def jobs_of_project(*, project: Project, kind: str) -> QuerySet[Job]:
    """The jobs of a project the caller already holds as its admin (`project_get_for_user`)."""
    return Job.objects.filter(project=project, kind=kind).select_related("created_by", "project")


def job_list(*, user: User, project_id: int, kind: str) -> QuerySet[Job]:
    project = project_get_for_user(user=user, project_id=project_id, minimum=Role.ADMIN)
    return jobs_of_project(project=project, kind=kind)


def job_get(*, user: User, project_id: int, job_id: int, kind: str) -> Job:
    job = job_list(user=user, project_id=project_id, kind=kind).filter(pk=job_id).first()
    if job is None:
        raise NotFoundError("not_found", f"This project has no {kind} job {job_id}.")
    return job

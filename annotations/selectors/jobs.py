"""Reads of import and export jobs: project admins only."""

from django.db.models import QuerySet

from annotations.errors import NotFoundError
from annotations.models import Job, Role
from annotations.selectors.access import User, project_get_for_user


def job_list(*, user: User, project_id: int, kind: str) -> QuerySet[Job]:
    project = project_get_for_user(user=user, project_id=project_id, minimum=Role.ADMIN)
    return Job.objects.filter(project=project, kind=kind).select_related("created_by", "project")


def job_get(*, user: User, project_id: int, job_id: int, kind: str) -> Job:
    job = job_list(user=user, project_id=project_id, kind=kind).filter(pk=job_id).first()
    if job is None:
        raise NotFoundError("not_found", f"This project has no {kind} job {job_id}.")
    return job

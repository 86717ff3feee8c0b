"""Reads of agreement figures: editors and admins only, annotators must stay blind.

An annotator (or a non-member) asking for agreement gets the same 404 as for a document
that does not exist: agreement reveals how others annotated.
"""

from typing import Any

from django.db.models import F

from annotations.agreement import STATISTICS_VERSION, metrics_from_statistics
from annotations.errors import not_found
from annotations.models import AgreementResult, Document, Project, Role
from annotations.selectors.access import User, project_role, projects_visible, role_at_least
from annotations.services.agreement import HEADLINE, scope_filter

LOWEST_SHOWN = 10
EMPTY_STATISTICS = {"version": STATISTICS_VERSION, "documents": 0}


def _editor_project(*, user: User, project: Project | None, what: str) -> Project:
    if project is None or not role_at_least(project_role(user=user, project=project), Role.EDITOR):
        raise not_found(what)
    return project


def _headline_row(*, project: Project, document_id: int | None) -> dict[str, Any] | None:
    row = (
        AgreementResult.objects.filter(
            scope_filter(project_id=project.pk, document_id=document_id),
            metric=HEADLINE[0],
            label=HEADLINE[1],
        )
        .values("statistics", "inputs_fingerprint", "computed_at")
        .first()
    )
    return dict(row) if row else None


def _figures(row: dict[str, Any] | None) -> dict[str, Any]:
    statistics = row["statistics"] if row and row["statistics"] else EMPTY_STATISTICS
    return {
        "computed_at": row["computed_at"] if row else None,
        "inputs_fingerprint": row["inputs_fingerprint"] if row else "",
        "metrics": metrics_from_statistics(statistics),
    }


def document_agreement_get(*, user: User, document_id: int) -> dict[str, Any]:
    """A document's figures, whether they are current, and who was compared."""
    document = (
        Document.objects.filter(pk=document_id, deleted_at__isnull=True)
        .select_related("project")
        .first()
    )
    if document is None or document.project.deleted_at is not None:
        raise not_found("document")
    project = _editor_project(user=user, project=document.project, what="document")
    row = _headline_row(project=project, document_id=document.pk)
    return {
        "document": document.pk,
        "project": project.pk,
        "pending": document.agreement_done_seq < document.work_seq,
        **_figures(row),
    }


def project_agreement_get(*, user: User, project_id: int) -> dict[str, Any]:
    """The project's figures, the per-document distribution and the lowest documents.

    ``documents`` lists every document with two or more counted annotators and its
    headline (uα), lowest first, undefined ones after every number; ``pending`` counts
    documents whose figures are being recomputed.
    """
    project = _editor_project(
        user=user, project=projects_visible(user=user).filter(pk=project_id).first(), what="project"
    )
    live = Document.objects.filter(project=project, deleted_at__isnull=True)
    rows = (
        AgreementResult.objects.filter(
            project=project,
            document__in=live,
            metric=HEADLINE[0],
            label=HEADLINE[1],
            statistics__documents=1,
        )
        .order_by(F("value").asc(nulls_last=True), "document_id")
        .values("document_id", "document__title", "document__status", "value")
    )
    documents = [
        {
            "id": row["document_id"],
            "title": row["document__title"],
            "status": row["document__status"],
            "u_alpha": row["value"],
        }
        for row in rows
    ]
    return {
        "project": project.pk,
        "name": project.name,
        "pending": live.filter(agreement_done_seq__lt=F("work_seq")).count(),
        **_figures(_headline_row(project=project, document_id=None)),
        "documents": documents,
        "lowest": documents[:LOWEST_SHOWN],
    }

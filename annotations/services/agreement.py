"""Agreement: recompute one document, and keep its project's total up to date.

A document's figures come from its submitted and accepted annotator layers only (gold and
pre-annotation layers never count as annotators). The worker computes the document's
sufficient statistics (annotations.agreement), then in one short transaction claims the
work with a conditional UPDATE on the document's dirty counter, replaces the document's
AgreementResult rows and updates the project's running total by subtracting the
document's previous statistics and adding the new ones. One submission therefore costs
one document, never the project, and two workers on the same document cannot both
apply their result for the same sequence.

Storage: one AgreementResult row per figure (metric, label; "" is all labels). The
``u_alpha`` row of label "" carries the full statistics of its scope: the document's
own statistics, or the project's running total.
"""

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from annotations.agreement import (
    STATISTICS_VERSION,
    DocumentInput,
    RelationUnit,
    SpanUnit,
    combine_statistics,
    document_statistics,
    metrics_from_statistics,
    replace_document,
)
from annotations.checkpoints import checkpoint
from annotations.models import (
    DONE_STATUSES,
    AgreementResult,
    Assignment,
    AssignmentKind,
    Document,
    Project,
    Relation,
    Span,
)

#: The row that holds a scope's statistics, and the headline of the review queue.
HEADLINE = ("u_alpha", "")
OVERALL_METRICS = (
    "u_alpha",
    "abs_u_alpha",
    "cu_alpha",
    "alpha_u",
    "char_alpha",
    "f1_exact",
    "f1_overlap",
    "relations_f1",
)
LABEL_METRICS = {
    "alpha_u": "alpha_u_by_label",
    "k_u_alpha": "k_u_alpha_by_label",
    "char_alpha": "char_alpha_by_label",
    "f1_exact": "f1_exact_by_label",
    "f1_overlap": "f1_overlap_by_label",
}
LABEL_MAX = AgreementResult._meta.get_field("label").max_length or 64


def document_agreement_input(*, document_id: int) -> DocumentInput | None:
    """The document's counted layers as library input; None if the document is gone.

    A soft-deleted document has no counted layers, so recomputing it removes its
    contribution from the project's total.
    """
    document = (
        Document.objects.filter(pk=document_id)
        .annotate(length=Length("text"))
        .values("length", "deleted_at")
        .first()
    )
    if document is None:
        return None
    layers: dict[int, str] = {}
    if document["deleted_at"] is None:
        layers = dict(
            Assignment.objects.filter(
                document_id=document_id,
                kind=AssignmentKind.ANNOTATOR,
                status__in=DONE_STATUSES,
            ).values_list("pk", "annotator__username")
        )
    spans = [
        SpanUnit(layers[assignment_id], start, end, label, attributes or {}, str(pk))
        for pk, assignment_id, start, end, label, attributes in Span.objects.filter(
            assignment_id__in=layers
        )
        .order_by("pk")
        .values_list("pk", "assignment_id", "start", "end", "label", "attributes")
    ]
    relations = [
        RelationUnit(layers[assignment_id], kind, str(source), str(target))
        for assignment_id, kind, source, target in Relation.objects.filter(assignment_id__in=layers)
        .order_by("pk")
        .values_list("assignment_id", "type", "from_span_id", "to_span_id")
    ]
    return DocumentInput(
        str(document_id), document["length"], sorted(layers.values()), spans, relations
    )


def inputs_fingerprint(doc: DocumentInput) -> str:
    """SHA-256 of everything the figures depend on, in a canonical order.

    Span ids are left out (they do not change a figure) except as relation endpoints,
    which are rewritten to the endpoints' positions so that the fingerprint is stable.
    """
    order = sorted(
        doc.spans,
        key=lambda s: (
            s.annotator,
            s.start,
            s.end,
            s.label,
            json.dumps(s.attributes, sort_keys=True),
        ),
    )
    position = {span.id: index for index, span in enumerate(order)}
    canonical = {
        "version": STATISTICS_VERSION,
        "length": doc.length,
        "annotators": sorted(doc.annotators),
        "spans": [[s.annotator, s.start, s.end, s.label, s.attributes] for s in order],
        "relations": sorted(
            [r.annotator, r.type, position[r.source], position[r.target]] for r in doc.relations
        ),
    }
    encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()


def _figures(metrics: dict[str, Any]) -> Iterable[tuple[str, str, float | None]]:
    for metric in OVERALL_METRICS:
        yield metric, "", metrics[metric]
    for metric, key in LABEL_METRICS.items():
        for label, value in metrics[key].items():
            # Compound values ("a+b", spans of two labels at once) can outgrow the
            # column; they stay readable in the statistics, which the API reports.
            if len(label) <= LABEL_MAX:
                yield metric, label, value


def scope_filter(*, project_id: int, document_id: int | None) -> Q:
    """The rows of one scope: a document's, or the project's own (no document)."""
    if document_id is None:
        return Q(project_id=project_id, document__isnull=True)
    return Q(project_id=project_id, document_id=document_id)


def _replace_rows(
    *,
    project_id: int,
    document_id: int | None,
    statistics: dict[str, Any],
    metrics: dict[str, Any],
    fingerprint: str,
    computed_at: datetime,
) -> None:
    scope = AgreementResult.Scope.DOCUMENT if document_id else AgreementResult.Scope.PROJECT
    AgreementResult.objects.filter(
        scope_filter(project_id=project_id, document_id=document_id)
    ).delete()
    AgreementResult.objects.bulk_create(
        AgreementResult(
            project_id=project_id,
            document_id=document_id,
            scope=scope,
            metric=metric,
            label=label,
            value=value,
            statistics=statistics if (metric, label) == HEADLINE else {},
            inputs_fingerprint=fingerprint,
            computed_at=computed_at,
        )
        for metric, label, value in _figures(metrics)
    )


def _stored_statistics(*, project_id: int, document_id: int | None) -> dict[str, Any] | None:
    return (
        AgreementResult.objects.filter(
            scope_filter(project_id=project_id, document_id=document_id),
            metric=HEADLINE[0],
            label=HEADLINE[1],
        )
        .values_list("statistics", flat=True)
        .first()
    )


def _current(statistics: dict[str, Any] | None) -> bool:
    return statistics is not None and statistics.get("version") == STATISTICS_VERSION


def project_agreement_total(*, project_id: int) -> dict[str, Any]:
    """The project's statistics summed afresh from every document's stored statistics."""
    rows = AgreementResult.objects.filter(
        project_id=project_id,
        document__isnull=False,
        metric=HEADLINE[0],
        label=HEADLINE[1],
    ).values_list("statistics", flat=True)
    return combine_statistics(statistics for statistics in rows if _current(statistics))


def document_agreement_recompute(*, document_id: int) -> bool:
    """Recompute the document's agreement and its project's figures, if still needed.

    Idempotent and safe under concurrency: the figures are computed outside any
    transaction for the ``work_seq`` read first; applying them is claimed with
    ``UPDATE … WHERE agreement_done_seq < seq``, under a lock on the project row so
    that project totals are updated one document at a time. A run that loses the claim
    (another worker already applied this or a later sequence) changes nothing.
    Returns whether this run applied its result.
    """
    state = (
        Document.objects.filter(pk=document_id)
        .values("work_seq", "agreement_done_seq", "project_id")
        .first()
    )
    if state is None or state["agreement_done_seq"] >= state["work_seq"]:
        return False
    seq, project_id = state["work_seq"], state["project_id"]
    doc = document_agreement_input(document_id=document_id)
    if doc is None:
        return False
    statistics = document_statistics(doc)
    metrics = metrics_from_statistics(statistics)
    fingerprint = inputs_fingerprint(doc)
    now = timezone.now()
    with transaction.atomic():
        list(Project.objects.select_for_update().filter(pk=project_id).values_list("pk"))
        claimed = Document.objects.filter(pk=document_id, agreement_done_seq__lt=seq).update(
            agreement_done_seq=seq, agreement_value=metrics[HEADLINE[0]]
        )
        if not claimed:
            return False
        checkpoint("agreement")
        previous = _stored_statistics(project_id=project_id, document_id=document_id)
        _replace_rows(
            project_id=project_id,
            document_id=document_id,
            statistics=statistics,
            metrics=metrics,
            fingerprint=fingerprint,
            computed_at=now,
        )
        total = _stored_statistics(project_id=project_id, document_id=None)
        if total is not None and _current(total) and (previous is None or _current(previous)):
            total = replace_document(total, previous, statistics)
        else:
            # No total yet, or statistics of an older layout: sum every document afresh.
            total = project_agreement_total(project_id=project_id)
        _replace_rows(
            project_id=project_id,
            document_id=None,
            statistics=total,
            metrics=metrics_from_statistics(total),
            fingerprint=hashlib.sha256(json.dumps(total, sort_keys=True).encode()).hexdigest(),
            computed_at=now,
        )
    return True

"""Each annotator's agreement with gold: span F1, exact and overlap match, per label.

Measured on accepted documents only, where gold is final. F1 against gold is
2·matched / (annotator's spans + gold spans); undefined (None) when neither has any.
"""

from collections import defaultdict
from typing import Any

from annotations.agreement.spans import exact_match_counts, overlap_matches
from annotations.agreement.types import SpanUnit
from annotations.models import (
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    Document,
    Project,
    Span,
)

GOLD = "\x00gold"  # cannot be a username


def _f1(matched: int, ours: int, gold: int) -> float | None:
    return None if ours + gold == 0 else 2 * matched / (ours + gold)


def annotator_quality(*, project: Project) -> dict[str, Any]:
    accepted = Document.objects.filter(
        project=project,
        deleted_at__isnull=True,
        accepted_at__isnull=False,
        assignments__kind=AssignmentKind.GOLD,
    ).values_list("pk", flat=True)
    gold: dict[int, list[SpanUnit]] = {document_id: [] for document_id in accepted}
    rows = Span.objects.filter(
        assignment__document_id__in=list(gold), assignment__kind=AssignmentKind.GOLD
    ).values_list("assignment__document_id", "label", "start", "end")
    for document_id, label, start, end in rows:
        gold[document_id].append(SpanUnit(GOLD, start, end, label))
    layers: dict[tuple[int, str], list[SpanUnit]] = {}
    for document_id, username in Assignment.objects.filter(
        document_id__in=list(gold), kind=AssignmentKind.ANNOTATOR, status__in=DONE_STATUSES
    ).values_list("document_id", "annotator__username"):
        layers[(document_id, username)] = []
    for document_id, username, label, start, end in Span.objects.filter(
        assignment__document_id__in=list(gold),
        assignment__kind=AssignmentKind.ANNOTATOR,
        assignment__status__in=DONE_STATUSES,
    ).values_list(
        "assignment__document_id", "assignment__annotator__username", "label", "start", "end"
    ):
        layers[(document_id, username)].append(SpanUnit(username, start, end, label))

    # username -> label -> [annotator spans, gold spans, exact matches, overlap matches]
    tallies: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0, 0, 0])
    )
    documents_of: dict[str, int] = defaultdict(int)
    for (document_id, username), spans in layers.items():
        reference = gold[document_id]
        documents_of[username] += 1
        tally = tallies[username]
        for span in spans:
            tally[span.label][0] += 1
        for span in reference:
            tally[span.label][1] += 1
        for label, count in exact_match_counts(spans, reference).items():
            tally[label][2] += count
        for row, _ in overlap_matches(spans, reference):
            tally[spans[row].label][3] += 1
    annotators = []
    for username in sorted(tallies):
        by_label = {
            label: {
                "spans": ours,
                "gold": theirs,
                "f1_exact": _f1(exact, ours, theirs),
                "f1_overlap": _f1(overlap, ours, theirs),
            }
            for label, (ours, theirs, exact, overlap) in sorted(tallies[username].items())
        }
        totals = [sum(t[i] for t in tallies[username].values()) for i in range(4)]
        annotators.append(
            {
                "username": username,
                "documents": documents_of[username],
                "f1_exact": _f1(totals[2], totals[0], totals[1]),
                "f1_overlap": _f1(totals[3], totals[0], totals[1]),
                "by_label": by_label,
            }
        )
    return {"project": project.pk, "documents": len(gold), "annotators": annotators}

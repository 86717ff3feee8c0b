"""A document's annotator layers laid side by side, with the gold layer and the editor's
decisions: the one read both the compare page and the merge services work from.

A candidate's status is derived, never stored twice: **accepted** when a gold span (or
relation) stands for it, either with exactly its label and offsets or by its provenance
(a gold span the editor has since resized still comes from its candidate); **rejected**
when it is not in gold but the editor decided on it; **open** otherwise.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast

from annotations.merge import (
    Candidates,
    LayerRelation,
    LayerSpan,
    RelationCandidate,
    SpanCandidate,
    build_candidates,
    is_agreed,
    relation_key,
    span_key,
)
from annotations.models import (
    DONE_STATUSES,
    Assignment,
    AssignmentKind,
    CandidateDecision,
    Document,
    Relation,
    Span,
)
from annotations.selectors.review import layer_shown, lease_of

OPEN, ACCEPTED, REJECTED = "open", "accepted", "rejected"


@dataclass
class Comparison:
    document: Document
    assignments: list[Assignment]
    candidates: Candidates
    gold: Assignment | None
    gold_spans: list[Span]
    gold_relations: list[Relation]
    decisions: dict[tuple[str, str], CandidateDecision]
    # Derived lookups, filled by __post_init__ (again by dataclasses.replace, so a write can
    # hand on the comparison with the gold it left instead of loading every layer again).
    gold_span_of: dict[str, Span] = field(init=False, default_factory=dict)
    gold_relation_of: dict[str, Relation] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        by_offsets = {span_key(s.label, s.start, s.end): s for s in self.gold_spans}
        by_origin = {
            s.provenance["candidate"]: s
            for s in self.gold_spans
            if isinstance(s.provenance, dict) and s.provenance.get("candidate")
        }
        for candidate in self.candidates.spans:
            span = by_offsets.get(candidate.key) or by_origin.get(candidate.key)
            if span is not None:
                self.gold_span_of[candidate.key] = span
        symmetric = symmetric_types(self.document)
        key_of_gold = {span.pk: key for key, span in self.gold_span_of.items()}
        for relation in self.gold_relations:
            source = key_of_gold.get(relation.from_span_id)
            target = key_of_gold.get(relation.to_span_id)
            if source is not None and target is not None:
                key = relation_key(
                    relation.type, source, target, symmetric=relation.type in symmetric
                )
                self.gold_relation_of[key] = relation
            origin = relation.provenance.get("candidate") if relation.provenance else None
            if origin:
                self.gold_relation_of.setdefault(origin, relation)

    @property
    def compared(self) -> list[str]:
        """The annotators whose layers are compared: submitted or accepted ones."""
        return self.candidates.annotators

    def span_status(self, candidate: SpanCandidate) -> str:
        if candidate.key in self.gold_span_of:
            return ACCEPTED
        return REJECTED if ("span", candidate.key) in self.decisions else OPEN

    def relation_status(self, candidate: RelationCandidate) -> str:
        if candidate.key in self.gold_relation_of:
            return ACCEPTED
        return REJECTED if ("relation", candidate.key) in self.decisions else OPEN

    def open_count(self) -> int:
        spans = sum(1 for c in self.candidates.spans if self.span_status(c) == OPEN)
        relations = sum(1 for c in self.candidates.relations if self.relation_status(c) == OPEN)
        return spans + relations


def symmetric_types(document: Document) -> frozenset[str]:
    """The relation types of the project's schema whose direction does not matter."""
    relations = document.project.label_schema.get("relations", [])
    return frozenset(r["name"] for r in relations if r.get("symmetric"))


def document_comparison(*, document: Document) -> Comparison:
    """Load every layer of the document and build its candidates (no permission check:
    callers have already scoped the document to the user)."""
    assignments = list(
        Assignment.objects.filter(document=document)
        .select_related("annotator")
        .order_by("kind", "annotator__username", "id")
    )
    counted = {
        a.pk: a.annotator.get_username()
        for a in assignments
        if a.kind == AssignmentKind.ANNOTATOR and a.status in DONE_STATUSES and a.annotator
    }
    # Attributes come as text and only non-empty ones are parsed: most spans have none, and
    # parsing hundreds of "{}" was most of this read's time on a long article.
    span_rows = Span.objects.filter(assignment_id__in=counted).values_list(
        "id", "assignment_id", "label", "start", "end", Cast("attributes", TextField())
    )
    spans = [
        LayerSpan(
            id=i,
            annotator=counted[a],
            label=label,
            start=s,
            end=e,
            attributes=json.loads(attrs) if attrs and attrs != "{}" else {},
        )
        for i, a, label, s, e, attrs in span_rows
    ]
    relation_rows = Relation.objects.filter(assignment_id__in=counted).values_list(
        "assignment_id", "type", "from_span_id", "to_span_id"
    )
    relations = [
        LayerRelation(annotator=counted[a], type=t, source=f, target=to)
        for a, t, f, to in relation_rows
    ]
    candidates = build_candidates(
        annotators=list(counted.values()),
        spans=spans,
        relations=relations,
        symmetric=symmetric_types(document),
    )
    gold = next((a for a in assignments if a.kind == AssignmentKind.GOLD), None)
    gold_spans = list(Span.objects.filter(assignment=gold)) if gold else []
    gold_relations = list(Relation.objects.filter(assignment=gold)) if gold else []
    decisions = {
        (d.kind, d.candidate): d
        for d in CandidateDecision.objects.filter(document=document).select_related("decided_by")
    }
    return Comparison(
        document=document,
        assignments=assignments,
        candidates=candidates,
        gold=gold,
        gold_spans=gold_spans,
        gold_relations=gold_relations,
        decisions=decisions,
    )


def comparison_payload(comparison: Comparison) -> dict[str, Any]:
    """The comparison as the API and the compare page show it.

    Span candidates come disagreements first, each part in document order, so that j/k
    on the page walks the editor through what needs a decision before what all agree on.
    """
    compared = comparison.compared
    n = len(compared)
    spans: list[dict[str, Any]] = []
    for candidate in comparison.candidates.spans:
        gold_span = comparison.gold_span_of.get(candidate.key)
        decision = comparison.decisions.get(("span", candidate.key))
        spans.append(
            {
                "key": candidate.key,
                "label": candidate.label,
                "start": candidate.start,
                "end": candidate.end,
                "quote": comparison.document.text[candidate.start : candidate.end],
                "voters": candidate.voters,
                "votes": candidate.votes,
                "agreed": is_agreed(candidate, n),
                "attributes": {
                    name: {str(value): voters for value, voters in values.items()}
                    for name, values in candidate.attributes.items()
                },
                "group": candidate.group,
                "alternatives": candidate.alternatives,
                "status": comparison.span_status(candidate),
                "gold_span": gold_span.pk if gold_span else None,
                "decided_by": _decider(decision),
            }
        )
    spans.sort(key=lambda c: c["agreed"])  # stable: document order within each part
    relations: list[dict[str, Any]] = []
    for relation in comparison.candidates.relations:
        gold_relation = comparison.gold_relation_of.get(relation.key)
        decision = comparison.decisions.get(("relation", relation.key))
        relations.append(
            {
                "key": relation.key,
                "type": relation.type,
                "source": relation.source,
                "target": relation.target,
                "voters": relation.voters,
                "votes": relation.votes,
                "agreed": relation.votes == n,
                "status": comparison.relation_status(relation),
                "gold_relation": gold_relation.pk if gold_relation else None,
                "decided_by": _decider(decision),
            }
        )
    relations.sort(key=lambda c: c["agreed"])
    counts = {OPEN: 0, ACCEPTED: 0, REJECTED: 0}
    for item in (*spans, *relations):
        counts[item["status"]] += 1
    return {
        "compared": compared,
        "span_candidates": spans,
        "relation_candidates": relations,
        "decisions": counts,
        "disagreements": sum(1 for c in spans if not c["agreed"])
        + sum(1 for c in relations if not c["agreed"]),
    }


def _decider(decision: CandidateDecision | None) -> str | None:
    if decision is None or decision.decided_by is None:
        return None
    return str(decision.decided_by.get_username())


def document_summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.pk,
        "project": document.project_id,
        "title": document.title,
        "status": document.status,
        "length": len(document.text),
        "agreement": document.agreement_value,
        "accepted_at": document.accepted_at,
        "accepted_by": document.accepted_by.get_username() if document.accepted_by else None,
        "lease": lease_of(document).shown(),
    }


def review_payload(document: Document, comparison: Comparison | None = None) -> dict[str, Any]:
    """The document under review: its layers, candidates, gold and decisions so far."""
    comparison = comparison or document_comparison(document=document)
    gold = comparison.gold
    layers = [layer_shown(a) for a in comparison.assignments if a.kind == AssignmentKind.ANNOTATOR]
    compared = comparison.compared
    return {
        "document": document_summary(document),
        "annotators": [{**layer, "compared": layer["username"] in compared} for layer in layers],
        "gold": {
            "id": gold.pk,
            "owner": gold.annotator.get_username() if gold.annotator else None,
            "status": gold.status,
            "spans": len(comparison.gold_spans),
            "relations": len(comparison.gold_relations),
        }
        if gold
        else None,
        **comparison_payload(comparison),
    }

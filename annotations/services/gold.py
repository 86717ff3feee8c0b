"""The gold layer: start it, and merge the annotators' layers into it by a strategy.

Gold spans carry their origin in `provenance`: `{"origin": "merge", ...}` for what a
strategy put there, `{"origin": "accepted", ...}` for what the editor accepted, and
nothing for spans the editor drew. A re-merge recomputes only what a strategy put there
and nobody touched since (origin "merge", version 1, no decision): the editor's accepted,
rejected, drawn and edited spans stay as they are unless the merge is asked to reset.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from annotations.errors import ConflictError, Invalid
from annotations.merge import (
    STRATEGIES,
    RelationCandidate,
    SpanCandidate,
    merged_attributes,
    required_votes,
)
from annotations.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    CandidateDecision,
    Document,
    Relation,
    Span,
)
from annotations.schema import (
    attribute_errors,
    label_definition,
    relation_allowed,
    relation_definition,
)
from annotations.selectors.comparison import Comparison, document_comparison
from annotations.services.audit import audit_record
from annotations.services.documents import document_refresh_status
from annotations.services.review import adjudicating
from annotations.services.work import document_mark_dirty
from annotations.text import quote_context


@dataclass
class MergeReport:
    strategy: str
    k: int | None
    required: int
    compared: list[str]
    added: int = 0
    removed: int = 0
    relations_added: int = 0
    relations_removed: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)


def gold_layer(*, comparison: Comparison, actor: User) -> Assignment:
    """The document's gold layer: the comparison's, else started (owned by the actor)."""
    if comparison.gold is not None:
        return comparison.gold
    document = comparison.document
    gold, created = Assignment.objects.select_related("annotator").get_or_create(
        document=document,
        kind=AssignmentKind.GOLD,
        defaults={"annotator_id": actor.pk, "status": AssignmentStatus.IN_PROGRESS},
    )
    if created:
        audit_record(
            actor=actor,
            project=document.project,
            action="gold.start",
            object_type="document",
            object_id=document.pk,
            after={"gold": gold.pk},
        )
        document_refresh_status(document=document)
    return gold


def _automatic(obj: Span | Relation) -> bool:
    """Put in gold by a strategy and untouched since: a re-merge may take it out again."""
    provenance = obj.provenance if isinstance(obj.provenance, dict) else {}
    return provenance.get("origin") == "merge" and obj.version == 1


def valid_attributes(definition: dict[str, Any], attributes: dict[str, Any]) -> dict[str, Any]:
    """Attribute values the label's current definition accepts (a schema may have changed)."""
    return {
        name: value
        for name, value in attributes.items()
        if not attribute_errors(definition, {name: value})
    }


def new_gold_span(
    *,
    document: Document,
    gold: Assignment,
    candidate: SpanCandidate,
    provenance: dict[str, Any],
    attributes: dict[str, Any],
) -> Span:
    text = document.text
    prefix, suffix = quote_context(text, candidate.start, candidate.end)
    return Span(
        assignment=gold,
        label=candidate.label,
        start=candidate.start,
        end=candidate.end,
        quote=text[candidate.start : candidate.end],
        prefix=prefix,
        suffix=suffix,
        attributes=attributes,
        provenance=provenance,
    )


def span_refusal(
    *, document: Document, candidate: SpanCandidate, occupied: list[tuple[int, int]]
) -> str | None:
    """Why the candidate cannot go into gold as it stands, or None."""
    definition = label_definition(document.project.label_schema, candidate.label)
    if definition is None or not definition.get("enabled", True):
        return f"{candidate.label} is no longer an enabled label of this project"
    if not document.project.allow_overlap:
        for start, end in occupied:
            if start < candidate.end and candidate.start < end:
                return (
                    f"it overlaps the gold span at [{start}, {end}), and this project does not "
                    "allow overlapping spans"
                )
    return None


def relation_refusal(
    *, document: Document, candidate: RelationCandidate, source: Span | None, target: Span | None
) -> str | None:
    if source is None or target is None:
        return "the spans it links are not both in gold; accept them first"
    definition = relation_definition(document.project.label_schema, candidate.type)
    if definition is None or not relation_allowed(definition, source.label, target.label):
        return f"{candidate.type} cannot link the gold {source.label} to the gold {target.label}"
    return None


def candidate_provenance(
    candidate: SpanCandidate | RelationCandidate,
    *,
    origin: str,
    compared: list[str],
    strategy: str | None = None,
) -> dict[str, Any]:
    """Where a gold span or relation came from: its candidate and the votes it had."""
    return {
        "origin": origin,
        "candidate": candidate.key,
        **({"strategy": strategy} if strategy else {}),
        "votes": candidate.votes,
        "of": len(compared),
        "voters": candidate.voters,
    }


def _check_strategy(strategy: str, k: int | None, compared: int) -> int:
    if strategy not in STRATEGIES:
        raise Invalid(
            "unknown_strategy",
            f"“{strategy}” is not a merge strategy; use one of {', '.join(STRATEGIES)}.",
            field="strategy",
        )
    if strategy == "at_least_k" and (k is None or not 1 <= k <= compared):
        raise Invalid(
            "invalid_k",
            f"at_least_k needs k from 1 to {compared} (the number of annotators compared).",
            field="k",
        )
    return required_votes(strategy, compared, k)


def gold_merge(
    *,
    document: Document,
    actor: User,
    strategy: str,
    k: int | None = None,
    reset: bool = False,
    now: datetime | None = None,
) -> tuple[MergeReport, Comparison]:
    """Put every candidate with enough votes into gold, and take out automatic ones that no
    longer have enough; candidates the editor decided on, and gold the editor drew or
    edited, stay as they are unless `reset` starts the gold layer afresh.

    Returns the report and the comparison against gold as the merge left it: the layers
    are loaded once, and each step hands on what it changed.
    """
    with transaction.atomic():
        document = adjudicating(document=document, actor=actor, now=now)
        comparison = document_comparison(document=document)
        if not comparison.compared:
            raise ConflictError(
                "nothing_to_merge",
                "No annotator has submitted this document yet: there is nothing to merge.",
            )
        required = _check_strategy(strategy, k, len(comparison.compared))
        gold = gold_layer(comparison=comparison, actor=actor)
        comparison = replace(comparison, gold=gold)
        if reset:
            # Deleting the spans deletes the relations that use them.
            Span.objects.filter(assignment=gold).delete()
            CandidateDecision.objects.filter(document=document).delete()
            comparison = replace(comparison, gold_spans=[], gold_relations=[], decisions={})
        report = MergeReport(
            strategy=strategy,
            k=k if strategy == "at_least_k" else None,
            required=required,
            compared=comparison.compared,
        )
        comparison = _merge_spans(comparison, gold, report)
        comparison = _merge_relations(comparison, gold, report)
        audit_record(
            actor=actor,
            project=document.project,
            action="gold.merge",
            object_type="document",
            object_id=document.pk,
            after={
                "strategy": strategy,
                "k": report.k,
                "reset": reset,
                "added": report.added,
                "removed": report.removed,
                "relations_added": report.relations_added,
                "relations_removed": report.relations_removed,
            },
        )
        document_refresh_status(document=document)
        document_mark_dirty(document_id=document.pk)
    return report, comparison


def _merged(candidate: SpanCandidate | RelationCandidate, report: MergeReport) -> dict[str, Any]:
    return candidate_provenance(
        candidate, origin="merge", compared=report.compared, strategy=report.strategy
    )


def _merge_spans(comparison: Comparison, gold: Assignment, report: MergeReport) -> Comparison:
    document = comparison.document
    matched: set[int] = set()
    doomed: list[int] = []
    created: list[Span] = []
    occupied = [(s.start, s.end) for s in comparison.gold_spans]
    for candidate in comparison.candidates.spans:
        gold_span = comparison.gold_span_of.get(candidate.key)
        if gold_span is not None:
            matched.add(gold_span.pk)
        if ("span", candidate.key) in comparison.decisions:
            continue
        qualifies = candidate.votes >= report.required
        if gold_span is not None:
            if _automatic(gold_span) and not qualifies:
                doomed.append(gold_span.pk)
            continue
        if not qualifies:
            continue
        refusal = span_refusal(document=document, candidate=candidate, occupied=occupied)
        if refusal:
            report.skipped.append({"candidate": candidate.key, "reason": refusal})
            continue
        definition = label_definition(document.project.label_schema, candidate.label) or {}
        attributes = valid_attributes(definition, merged_attributes(candidate, report.required))
        created.append(
            new_gold_span(
                document=document,
                gold=gold,
                candidate=candidate,
                provenance=_merged(candidate, report),
                attributes=attributes,
            )
        )
        occupied.append((candidate.start, candidate.end))
    # Automatic gold whose candidate no annotator proposes any more (changed on resubmission).
    doomed += [s.pk for s in comparison.gold_spans if s.pk not in matched and _automatic(s)]
    Span.objects.filter(pk__in=doomed).delete()
    Span.objects.bulk_create(created)
    report.added, report.removed = len(created), len(doomed)
    gone = set(doomed)
    spans = [s for s in comparison.gold_spans if s.pk not in gone] + created
    spans.sort(key=lambda s: (s.start, s.end, s.pk))  # Span's own ordering
    return replace(
        comparison,
        gold_spans=spans,
        # The relations that used a deleted span went with it.
        gold_relations=[
            r
            for r in comparison.gold_relations
            if r.from_span_id not in gone and r.to_span_id not in gone
        ],
    )


def _merge_relations(comparison: Comparison, gold: Assignment, report: MergeReport) -> Comparison:
    document = comparison.document
    doomed: list[int] = []
    created: list[Relation] = []
    edges = {(r.type, r.from_span_id, r.to_span_id) for r in comparison.gold_relations}
    matched: set[int] = set()
    for candidate in comparison.candidates.relations:
        gold_relation = comparison.gold_relation_of.get(candidate.key)
        if gold_relation is not None:
            matched.add(gold_relation.pk)
        if ("relation", candidate.key) in comparison.decisions:
            continue
        qualifies = candidate.votes >= report.required
        if gold_relation is not None:
            if _automatic(gold_relation) and not qualifies:
                doomed.append(gold_relation.pk)
            continue
        if not qualifies:
            continue
        source = comparison.gold_span_of.get(candidate.source)
        target = comparison.gold_span_of.get(candidate.target)
        refusal = relation_refusal(
            document=document, candidate=candidate, source=source, target=target
        )
        if refusal or source is None or target is None:
            report.skipped.append({"candidate": candidate.key, "reason": refusal or ""})
            continue
        if (candidate.type, source.pk, target.pk) in edges:
            continue
        edges.add((candidate.type, source.pk, target.pk))
        created.append(
            Relation(
                assignment=gold,
                type=candidate.type,
                from_span=source,
                to_span=target,
                provenance=_merged(candidate, report),
            )
        )
    doomed += [r.pk for r in comparison.gold_relations if r.pk not in matched and _automatic(r)]
    Relation.objects.filter(pk__in=doomed).delete()
    Relation.objects.bulk_create(created)
    report.relations_added, report.relations_removed = len(created), len(doomed)
    gone = set(doomed)
    kept = [r for r in comparison.gold_relations if r.pk not in gone]
    return replace(comparison, gold_relations=kept + created)

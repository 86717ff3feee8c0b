"""The gold layer: start it by a merge strategy, decide candidates one by one, accept it.

Gold spans carry their origin in `provenance`: `{"origin": "merge", ...}` for what a
strategy put there, `{"origin": "accepted", ...}` for what the editor accepted, and
nothing for spans the editor drew. A re-merge recomputes only what a strategy put there
and nobody touched since (origin "merge", version 1, no decision): the editor's accepted,
rejected, drawn and edited spans stay as they are unless the merge is asked to reset.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q

from annotations import clock
from annotations.errors import ConflictError, Invalid, NotFoundError
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
from annotations.services.review import ensure_not_accepted, lease_require
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


@dataclass
class Decided:
    candidate: str
    status: str
    gold_span: Span | None = None
    gold_relation: Relation | None = None
    removed_relations: int = 0


def gold_layer(*, document: Document, actor: User) -> Assignment:
    """The document's gold layer, started (owned by the actor) if there is none yet."""
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


def _valid_attributes(definition: dict[str, Any], attributes: dict[str, Any]) -> dict[str, Any]:
    """Attribute values the label's current definition accepts (a schema may have changed)."""
    return {
        name: value
        for name, value in attributes.items()
        if not attribute_errors(definition, {name: value})
    }


def _gold_span(
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


def _span_refusal(
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


def _relation_refusal(
    *, document: Document, candidate: RelationCandidate, source: Span | None, target: Span | None
) -> str | None:
    if source is None or target is None:
        return "the spans it links are not both in gold; accept them first"
    definition = relation_definition(document.project.label_schema, candidate.type)
    if definition is None or not relation_allowed(definition, source.label, target.label):
        return f"{candidate.type} cannot link the gold {source.label} to the gold {target.label}"
    return None


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
) -> MergeReport:
    """Put every candidate with enough votes into gold, and take out automatic ones that no
    longer have enough; candidates the editor decided on, and gold the editor drew or
    edited, stay as they are unless `reset` starts the gold layer afresh."""
    with transaction.atomic():
        document = lease_require(document=document, actor=actor, now=now)
        ensure_not_accepted(document)
        comparison = document_comparison(document=document)
        if not comparison.compared:
            raise ConflictError(
                "nothing_to_merge",
                "No annotator has submitted this document yet: there is nothing to merge.",
            )
        required = _check_strategy(strategy, k, len(comparison.compared))
        gold = gold_layer(document=document, actor=actor)
        if reset:
            Span.objects.filter(assignment=gold).delete()
            CandidateDecision.objects.filter(document=document).delete()
            comparison = document_comparison(document=document)
        report = MergeReport(
            strategy=strategy,
            k=k if strategy == "at_least_k" else None,
            required=required,
            compared=comparison.compared,
        )
        _merge_spans(comparison, gold, report)
        _merge_relations(document_comparison(document=document), gold, report)
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
    return report


def _merge_spans(comparison: Comparison, gold: Assignment, report: MergeReport) -> None:
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
        refusal = _span_refusal(document=document, candidate=candidate, occupied=occupied)
        if refusal:
            report.skipped.append({"candidate": candidate.key, "reason": refusal})
            continue
        definition = label_definition(document.project.label_schema, candidate.label) or {}
        attributes = _valid_attributes(definition, merged_attributes(candidate, report.required))
        provenance = {
            "origin": "merge",
            "candidate": candidate.key,
            "strategy": report.strategy,
            "votes": candidate.votes,
            "of": len(report.compared),
            "voters": candidate.voters,
        }
        created.append(
            _gold_span(
                document=document,
                gold=gold,
                candidate=candidate,
                provenance=provenance,
                attributes=attributes,
            )
        )
        occupied.append((candidate.start, candidate.end))
    # Automatic gold whose candidate no annotator proposes any more (changed on resubmission).
    doomed += [s.pk for s in comparison.gold_spans if s.pk not in matched and _automatic(s)]
    Span.objects.filter(pk__in=doomed).delete()
    Span.objects.bulk_create(created)
    report.added, report.removed = len(created), len(doomed)


def _merge_relations(comparison: Comparison, gold: Assignment, report: MergeReport) -> None:
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
        refusal = _relation_refusal(
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
                provenance={
                    "origin": "merge",
                    "candidate": candidate.key,
                    "strategy": report.strategy,
                    "votes": candidate.votes,
                    "of": len(report.compared),
                    "voters": candidate.voters,
                },
            )
        )
    doomed += [r.pk for r in comparison.gold_relations if r.pk not in matched and _automatic(r)]
    Relation.objects.filter(pk__in=doomed).delete()
    Relation.objects.bulk_create(created)
    report.relations_added, report.relations_removed = len(created), len(doomed)


DECISION_ACTIONS = {
    "accepted": "gold.candidate_accept",
    "rejected": "gold.candidate_reject",
    "open": "gold.candidate_reopen",
}


def candidate_decide(
    *, document: Document, actor: User, candidate: str, outcome: str, now: datetime | None = None
) -> Decided:
    """Accept a candidate into gold, reject it (taking it out of gold), or reopen it (no
    decision, not in gold). Deciding again the same way changes nothing."""
    if outcome not in DECISION_ACTIONS:
        raise Invalid(
            "unknown_decision",
            f"“{outcome}” is not a decision; use accepted, rejected or open.",
            field="decision",
        )
    now = now or clock.now()
    with transaction.atomic():
        document = lease_require(document=document, actor=actor, now=now)
        ensure_not_accepted(document)
        gold = gold_layer(document=document, actor=actor)
        comparison = document_comparison(document=document)
        kind = CandidateDecision.Kind.RELATION if ">" in candidate else CandidateDecision.Kind.SPAN
        if kind == CandidateDecision.Kind.SPAN:
            span_candidate = comparison.candidates.span(candidate)
            if span_candidate is None:
                raise _unknown(document, candidate)
            decided = _decide_span(comparison, gold, span_candidate, outcome)
        else:
            relation_candidate = next(
                (r for r in comparison.candidates.relations if r.key == candidate), None
            )
            if relation_candidate is None:
                raise _unknown(document, candidate)
            decided = _decide_relation(comparison, gold, relation_candidate, outcome)
        if outcome == "open":
            CandidateDecision.objects.filter(
                document=document, kind=kind, candidate=candidate
            ).delete()
        else:
            CandidateDecision.objects.update_or_create(
                document=document,
                kind=kind,
                candidate=candidate,
                defaults={"outcome": outcome, "decided_by_id": actor.pk, "decided_at": now},
            )
        audit_record(
            actor=actor,
            project=document.project,
            action=DECISION_ACTIONS[outcome],
            object_type="document",
            object_id=document.pk,
            after={
                "candidate": candidate,
                "status": decided.status,
                "gold_span": decided.gold_span.pk if decided.gold_span else None,
                "gold_relation": decided.gold_relation.pk if decided.gold_relation else None,
            },
        )
        document_mark_dirty(document_id=document.pk)
    return decided


def _unknown(document: Document, candidate: str) -> NotFoundError:
    return NotFoundError(
        "unknown_candidate",
        f"No submitted layer of this document has the candidate “{candidate}”; the "
        f"candidates are listed by GET /api/documents/{document.pk}/review/.",
        field="candidate",
    )


def _decide_span(
    comparison: Comparison, gold: Assignment, candidate: SpanCandidate, outcome: str
) -> Decided:
    document = comparison.document
    existing = comparison.gold_span_of.get(candidate.key)
    if outcome == "accepted":
        if existing is not None:
            return Decided(candidate.key, "accepted", gold_span=existing)
        others = [(s.start, s.end) for s in comparison.gold_spans]
        refusal = _span_refusal(document=document, candidate=candidate, occupied=others)
        if refusal:
            raise ConflictError(
                "cannot_accept",
                f"This candidate cannot go into gold: {refusal}.",
                field="candidate",
            )
        definition = label_definition(document.project.label_schema, candidate.label) or {}
        span = _gold_span(
            document=document,
            gold=gold,
            candidate=candidate,
            attributes=_valid_attributes(definition, merged_attributes(candidate, 1)),
            provenance={
                "origin": "accepted",
                "candidate": candidate.key,
                "votes": candidate.votes,
                "of": len(comparison.compared),
                "voters": candidate.voters,
            },
        )
        span.save()
        return Decided(candidate.key, "accepted", gold_span=span)
    removed = 0
    if existing is not None:
        removed = Relation.objects.filter(Q(from_span=existing) | Q(to_span=existing)).count()
        existing.delete()
    return Decided(
        candidate.key, "rejected" if outcome == "rejected" else "open", removed_relations=removed
    )


def _decide_relation(
    comparison: Comparison, gold: Assignment, candidate: RelationCandidate, outcome: str
) -> Decided:
    existing = comparison.gold_relation_of.get(candidate.key)
    if outcome == "accepted":
        if existing is not None:
            return Decided(candidate.key, "accepted", gold_relation=existing)
        source = comparison.gold_span_of.get(candidate.source)
        target = comparison.gold_span_of.get(candidate.target)
        refusal = _relation_refusal(
            document=comparison.document, candidate=candidate, source=source, target=target
        )
        if refusal or source is None or target is None:
            raise ConflictError(
                "cannot_accept",
                f"This relation cannot go into gold: {refusal}.",
                field="candidate",
            )
        relation = Relation.objects.filter(
            type=candidate.type, from_span=source, to_span=target
        ).first() or Relation.objects.create(
            assignment=gold,
            type=candidate.type,
            from_span=source,
            to_span=target,
            provenance={
                "origin": "accepted",
                "candidate": candidate.key,
                "votes": candidate.votes,
                "of": len(comparison.compared),
                "voters": candidate.voters,
            },
        )
        return Decided(candidate.key, "accepted", gold_relation=relation)
    if existing is not None:
        existing.delete()
    return Decided(candidate.key, "rejected" if outcome == "rejected" else "open")


def document_accept(
    *, document: Document, actor: User, force: bool = False, now: datetime | None = None
) -> Document:
    """Make the gold layer final: the document, its gold layer and every submitted layer
    become accepted, the date is kept, and the lease is given back."""
    now = now or clock.now()
    with transaction.atomic():
        document = lease_require(document=document, actor=actor, now=now)
        ensure_not_accepted(document)
        comparison = document_comparison(document=document)
        if comparison.gold is None:
            raise ConflictError(
                "no_gold",
                "This document has no gold layer yet: merge the annotators' layers (or start "
                "an empty gold layer) before accepting it.",
            )
        still_open = comparison.open_count()
        if still_open and not force:
            raise ConflictError(
                "open_candidates",
                f"{still_open} candidate{'s are' if still_open != 1 else ' is'} still "
                "undecided: accept or reject them, or accept the document anyway (force).",
                details={"open": still_open},
            )
        Assignment.objects.filter(pk=comparison.gold.pk).update(
            status=AssignmentStatus.ACCEPTED, reviewed_at=now
        )
        accepted = list(
            Assignment.objects.filter(
                document=document,
                kind=AssignmentKind.ANNOTATOR,
                status=AssignmentStatus.SUBMITTED,
            ).values_list("pk", flat=True)
        )
        Assignment.objects.filter(pk__in=accepted).update(
            status=AssignmentStatus.ACCEPTED, reviewed_at=now
        )
        document.accepted_at, document.accepted_by_id = now, actor.pk
        document.lease_holder_id, document.lease_expires_at = None, None
        Document.objects.filter(pk=document.pk).update(
            accepted_at=now, accepted_by_id=actor.pk, lease_holder=None, lease_expires_at=None
        )
        audit_record(
            actor=actor,
            project=document.project,
            action="document.accept",
            object_type="document",
            object_id=document.pk,
            after={
                "accepted_at": now.isoformat(),
                "open_candidates": still_open,
                "assignments": accepted,
            },
        )
        document_refresh_status(document=document)
    return document

"""Adjudication, one decision at a time: accept a candidate into gold, reject it or reopen
it, and accept the whole document when gold is final. Decisions are recorded
(CandidateDecision), so a later re-merge (services/gold.py) leaves them as they are."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from annotations import clock
from annotations.errors import ConflictError, Invalid, NotFoundError
from annotations.merge import RelationCandidate, SpanCandidate, merged_attributes
from annotations.models import (
    Assignment,
    AssignmentKind,
    AssignmentStatus,
    CandidateDecision,
    Document,
    Relation,
    Span,
)
from annotations.schema import label_definition
from annotations.selectors.comparison import Comparison, document_comparison, symmetric_types
from annotations.services.audit import audit_record
from annotations.services.documents import document_refresh_status
from annotations.services.gold import (
    candidate_provenance,
    gold_layer,
    new_gold_span,
    relation_refusal,
    span_refusal,
    valid_attributes,
)
from annotations.services.review import adjudicating
from annotations.services.work import document_mark_dirty


@dataclass
class Decided:
    candidate: str
    status: str
    gold_span: Span | None = None
    gold_relation: Relation | None = None
    removed_relations: int = 0


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
        document = adjudicating(document=document, actor=actor, now=now)
        comparison = document_comparison(document=document)
        gold = gold_layer(comparison=comparison, actor=actor)
        kind = CandidateDecision.Kind.RELATION if ">" in candidate else CandidateDecision.Kind.SPAN
        if kind == CandidateDecision.Kind.SPAN:
            span_candidate = comparison.candidates.span(candidate)
            if span_candidate is None:
                raise _unknown(document, candidate)
            decided = _decide_span(comparison, gold, span_candidate, outcome)
        else:
            relation_candidate = comparison.candidates.relation(candidate)
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
        refusal = span_refusal(document=document, candidate=candidate, occupied=others)
        if refusal:
            raise ConflictError(
                "cannot_accept",
                f"This candidate cannot go into gold: {refusal}.",
                field="candidate",
            )
        definition = label_definition(document.project.label_schema, candidate.label) or {}
        span = new_gold_span(
            document=document,
            gold=gold,
            candidate=candidate,
            attributes=valid_attributes(definition, merged_attributes(candidate, 1)),
            provenance=candidate_provenance(
                candidate, origin="accepted", compared=comparison.compared
            ),
        )
        span.save()
        return Decided(candidate.key, "accepted", gold_span=span)
    removed = 0
    if existing is not None:
        # Deleting the gold span cascades to its relations; the count says how many went.
        _, deleted = existing.delete()
        removed = deleted.get(Relation._meta.label, 0)
    return Decided(candidate.key, outcome, removed_relations=removed)


def _decide_relation(
    comparison: Comparison, gold: Assignment, candidate: RelationCandidate, outcome: str
) -> Decided:
    existing = comparison.gold_relation_of.get(candidate.key)
    if outcome == "accepted":
        if existing is not None:
            return Decided(candidate.key, "accepted", gold_relation=existing)
        source = comparison.gold_span_of.get(candidate.source)
        target = comparison.gold_span_of.get(candidate.target)
        refusal = relation_refusal(
            document=comparison.document, candidate=candidate, source=source, target=target
        )
        if refusal or source is None or target is None:
            raise ConflictError(
                "cannot_accept",
                f"This relation cannot go into gold: {refusal}.",
                field="candidate",
            )
        # Gold may link these spans already under another candidate's key (a gold span can
        # stand for two); a symmetric relation stored the other way round is the same one.
        ends = {(source.pk, target.pk)}
        if candidate.type in symmetric_types(comparison.document):
            ends.add((target.pk, source.pk))
        relation = next(
            (
                r
                for r in comparison.gold_relations
                if r.type == candidate.type and (r.from_span_id, r.to_span_id) in ends
            ),
            None,
        ) or Relation.objects.create(
            assignment=gold,
            type=candidate.type,
            from_span=source,
            to_span=target,
            provenance=candidate_provenance(
                candidate, origin="accepted", compared=comparison.compared
            ),
        )
        return Decided(candidate.key, "accepted", gold_relation=relation)
    if existing is not None:
        existing.delete()
    return Decided(candidate.key, outcome)


def document_accept(
    *, document: Document, actor: User, force: bool = False, now: datetime | None = None
) -> Document:
    """Make the gold layer final: the document, its gold layer and every submitted layer
    become accepted, the date is kept, and the lease is given back."""
    now = now or clock.now()
    with transaction.atomic():
        document = adjudicating(document=document, actor=actor, now=now)
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
        # The instance, not its id: the answer shows who accepted without loading them again.
        document.accepted_at, document.accepted_by = now, actor
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

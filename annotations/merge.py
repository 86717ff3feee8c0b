"""Merge candidates: several annotators' layers laid side by side for adjudication into gold.

Pure: no Django, no database. A **span candidate** is one distinct (label, start, end)
that at least one annotator marked; its voters are the annotators who marked exactly
that. Candidates of the same label that share a character, or that cover exactly the
same characters with different labels, form a **group**: they are alternatives to one
another (different boundaries, or a different label for the same words), and the editor
picks among them. A **relation candidate** is one distinct (type, source candidate,
target candidate); symmetric types are keyed with their endpoints in sorted order.

A merge strategy says how many votes put a candidate into gold without the editor:
``unanimous`` (every annotator compared), ``majority`` (more than half), ``at_least_k``
(k or more), ``none`` (nothing: the editor decides everything). Attributes merge the same
way among a candidate's voters: a value goes into gold when it has the required number
of votes and no other value has as many.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

STRATEGIES = ("unanimous", "majority", "at_least_k", "none")


@dataclass(frozen=True, slots=True)
class LayerSpan:
    """One span of one annotator's layer."""

    id: int
    annotator: str
    label: str
    start: int
    end: int
    attributes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class LayerRelation:
    """One relation of one annotator's layer, its endpoints named by span id."""

    annotator: str
    type: str
    source: int
    target: int


@dataclass(slots=True)
class SpanCandidate:
    key: str
    label: str
    start: int
    end: int
    voters: list[str] = field(default_factory=list)
    span_ids: list[int] = field(default_factory=list)
    # attribute name -> value -> the voters who gave it; a voter without a value is absent.
    attributes: dict[str, dict[Any, list[str]]] = field(default_factory=dict)
    group: int = 0
    alternatives: list[str] = field(default_factory=list)

    @property
    def votes(self) -> int:
        return len(self.voters)


@dataclass(slots=True)
class RelationCandidate:
    key: str
    type: str
    source: str
    target: str
    voters: list[str] = field(default_factory=list)

    @property
    def votes(self) -> int:
        return len(self.voters)


@dataclass(slots=True)
class Candidates:
    annotators: list[str]
    spans: list[SpanCandidate]
    relations: list[RelationCandidate]

    def span(self, key: str) -> SpanCandidate | None:
        return next((c for c in self.spans if c.key == key), None)

    def relation(self, key: str) -> RelationCandidate | None:
        return next((c for c in self.relations if c.key == key), None)


def span_key(label: str, start: int, end: int) -> str:
    return f"{label}:{start}:{end}"


def relation_key(type: str, source: str, target: str, *, symmetric: bool = False) -> str:
    if symmetric and target < source:
        source, target = target, source
    return f"{type}>{source}>{target}"


def required_votes(strategy: str, annotators: int, k: int | None = None) -> int:
    """Votes a candidate needs to enter gold under a strategy, among `annotators` layers."""
    if strategy == "unanimous":
        return annotators
    if strategy == "majority":
        return annotators // 2 + 1
    if strategy == "at_least_k":
        if k is None or k < 1:
            raise ValueError("at_least_k needs k of at least 1")
        return k
    if strategy == "none":
        return annotators + 1
    raise ValueError(f"unknown strategy {strategy!r}")


def build_candidates(
    *,
    annotators: Sequence[str],
    spans: Iterable[LayerSpan],
    relations: Iterable[LayerRelation] = (),
    symmetric: frozenset[str] = frozenset(),
) -> Candidates:
    """Group every annotator's spans and relations into candidates, in document order."""
    by_key: dict[str, SpanCandidate] = {}
    key_of_span: dict[int, str] = {}
    for span in spans:
        key = span_key(span.label, span.start, span.end)
        candidate = by_key.get(key)
        if candidate is None:
            candidate = by_key[key] = SpanCandidate(key, span.label, span.start, span.end)
        key_of_span[span.id] = key
        candidate.span_ids.append(span.id)
        # An annotator who marked the same span twice still casts one vote.
        if span.annotator not in candidate.voters:
            candidate.voters.append(span.annotator)
            for name, value in span.attributes.items():
                if value is None or value == "":
                    continue
                voters = candidate.attributes.setdefault(name, {}).setdefault(value, [])
                voters.append(span.annotator)
    ordered = sorted(by_key.values(), key=lambda c: (c.start, -c.end, c.label))
    for candidate in ordered:
        candidate.voters.sort()
    _group(ordered)

    relation_by_key: dict[str, RelationCandidate] = {}
    for relation in relations:
        source = key_of_span.get(relation.source)
        target = key_of_span.get(relation.target)
        if source is None or target is None:
            continue
        is_symmetric = relation.type in symmetric
        key = relation_key(relation.type, source, target, symmetric=is_symmetric)
        if is_symmetric and target < source:
            source, target = target, source
        found = relation_by_key.get(key)
        if found is None:
            found = relation_by_key[key] = RelationCandidate(key, relation.type, source, target)
        if relation.annotator not in found.voters:
            found.voters.append(relation.annotator)
    position = {c.key: index for index, c in enumerate(ordered)}
    relation_list = sorted(
        relation_by_key.values(),
        key=lambda r: (position[r.source], position[r.target], r.type),
    )
    for relation_candidate in relation_list:
        relation_candidate.voters.sort()
    return Candidates(annotators=sorted(annotators), spans=ordered, relations=relation_list)


def _group(ordered: list[SpanCandidate]) -> None:
    """Number the groups of alternatives (connected components) and list each one's others."""
    parent = list(range(len(ordered)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    # Same label and sharing a character: a sweep per label over candidates by start.
    by_label: dict[str, list[int]] = defaultdict(list)
    for index, candidate in enumerate(ordered):
        by_label[candidate.label].append(index)
    for indexes in by_label.values():
        reach_index, reach_end = -1, -1
        for index in indexes:
            candidate = ordered[index]
            if candidate.start < reach_end:
                union(index, reach_index)
            if candidate.end > reach_end:
                reach_index, reach_end = index, candidate.end
    # The same characters with a different label: a disagreement about the label.
    by_range: dict[tuple[int, int], list[int]] = defaultdict(list)
    for index, candidate in enumerate(ordered):
        by_range[(candidate.start, candidate.end)].append(index)
    for indexes in by_range.values():
        for index in indexes[1:]:
            union(index, indexes[0])

    members: dict[int, list[int]] = defaultdict(list)
    for index in range(len(ordered)):
        members[find(index)].append(index)
    numbers: dict[int, int] = {}
    for index, candidate in enumerate(ordered):
        root = find(index)
        candidate.group = numbers.setdefault(root, len(numbers))
        candidate.alternatives = [ordered[i].key for i in members[root] if i != index]


def attributes_agreed(candidate: SpanCandidate) -> bool:
    """Every voter gave every attribute the same value (or none left it out)."""
    return all(
        len(values) == 1 and len(next(iter(values.values()))) == candidate.votes
        for values in candidate.attributes.values()
    )


def is_agreed(candidate: SpanCandidate, annotators: int) -> bool:
    """All annotators marked exactly this span, with the same attributes."""
    return candidate.votes == annotators and attributes_agreed(candidate)


def merged_attributes(candidate: SpanCandidate, minimum: int) -> dict[str, Any]:
    """The attribute values that have `minimum` votes or more and no tie at the top."""
    merged: dict[str, Any] = {}
    for name, values in sorted(candidate.attributes.items()):
        counts = Counter({value: len(voters) for value, voters in values.items()})
        ranked = counts.most_common(2)
        best, votes = ranked[0]
        tied = len(ranked) > 1 and ranked[1][1] == votes
        if votes >= minimum and not tied:
            merged[name] = best
    return merged

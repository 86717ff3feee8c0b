"""Span-level comparisons: character-level alpha, span matching and F1, relations, attributes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from operator import attrgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .layers import LayerBatch, pair_index, stable_order
from .types import RelationUnit, SpanUnit

BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_span_id = attrgetter("id")
#: One annotator pair's overlap matches: the matched units of the first annotator and,
#: at the same positions, their partners of the second (indexes into their layers).
Matches = tuple[Sequence[int], Sequence[int]]
_NO_MATCHES: Matches = ((), ())


def char_coincidences(batch: LayerBatch) -> FloatArray:
    """Per document and label, the binary coincidence matrix of character-level coding:
    an array [document, label, (o00, o01, o11)].

    Each character is a unit coded by every one of the m annotators with the label (1)
    or "none" (0). A character that n1 annotators cover adds n1(n1 − 1)/(m − 1) to o11,
    n0(n0 − 1)/(m − 1) to o00 and n1·n0/(m − 1) to o01 = o10, n0 = m − n1
    (Krippendorff 2011, section C). ``batch`` holds each annotator's units (one label's
    units of one annotator disjoint). The histogram of n1 over the characters comes
    from sorting the units' +1/−1 boundary events, so the cost grows with the number of
    spans, not with the number of characters.
    """
    documents, labels = batch.documents, batch.label_count
    most = int(batch.coders.max()) if documents else 0
    group = np.tile(batch.unit_doc * labels + batch.labels, 2)
    positions = np.concatenate([batch.starts, batch.ends])
    steps = np.concatenate(
        [np.ones(batch.starts.size, dtype=np.int64), -np.ones(batch.ends.size, dtype=np.int64)]
    )
    # Within a label, ends sort before starts at the same position, so adjacent units
    # never count twice; each (document, label)'s events sum to zero, so depth restarts at 0.
    order = stable_order(group, positions, steps)
    positions, group = positions[order], group[order]
    depth = np.cumsum(steps[order])
    widths = np.zeros(positions.size)
    if positions.size:
        same = group[1:] == group[:-1]
        widths[:-1] = np.where(same, positions[1:] - positions[:-1], 0)
    histogram = np.bincount(
        group * (most + 1) + depth, weights=widths, minlength=documents * labels * (most + 1)
    ).reshape(documents, labels, most + 1)
    histogram[:, :, 0] = batch.lengths[:, None] - histogram[:, :, 1:].sum(axis=2)
    coders = batch.coders[:, None].astype(np.float64)
    ones = np.broadcast_to(np.arange(most + 1, dtype=np.float64), (documents, most + 1))
    zeros = coders - ones
    weights = np.stack([zeros * (zeros - 1), ones * zeros, ones * (ones - 1)], axis=2)
    result: FloatArray = np.matmul(histogram, weights) / np.maximum(coders - 1, 1)[:, :, None]
    return result


def binary_alpha(o00: float, o01: float, o11: float) -> float | None:
    """Nominal alpha of a two-value coincidence matrix [[o00, o01], [o01, o11]].

    α = 1 − (n − 1) · 2·o01 / (2·n0·n1) with n0 = o00 + o01, n1 = o11 + o01,
    n = n0 + n1 (Krippendorff 2011, section E, nominal metric). None if either value
    never occurs (no variation).
    """
    n0, n1 = o00 + o01, o11 + o01
    total = n0 + n1
    if n0 <= 0 or n1 <= 0 or total <= 1:
        return None
    return 1.0 - (total - 1.0) * o01 / (n0 * n1)


def pair_char_coincidences(
    inter: float, len_a: float, len_b: float, length: float
) -> tuple[float, float, float]:
    """[o00, o01, o11] of two annotators on one label layer from covered lengths alone."""
    union = len_a + len_b - inter
    return 2.0 * (length - union), len_a + len_b - 2.0 * inter, 2.0 * inter


def overlap_matches(first: Sequence[SpanUnit], second: Sequence[SpanUnit]) -> list[tuple[int, int]]:
    """One-to-one overlap matching between two annotators' spans (see
    :func:`overlap_matches_batch`); pairs are indexes into ``first`` and ``second``."""
    vocabulary = {label: index for index, label in enumerate({s.label for s in (*first, *second)})}
    layers = [[(s.start, s.end, vocabulary[s.label]) for s in spans] for spans in (first, second)]
    rows, cols = overlap_matches_batch(LayerBatch.build([(layers, 0)], len(vocabulary)))[0][0]
    return list(zip(rows, cols, strict=True))


def overlap_matches_batch(batch: LayerBatch) -> list[list[Matches]]:
    """One-to-one overlap matching between every two annotators of every document: per
    document, per pair in ``itertools.combinations`` order, the pair's :data:`Matches`
    in the order they were taken.

    Two spans are candidates when they have the same label and share at least one
    character. Candidates are taken greedily by largest overlap (in characters); ties
    go to the pair that starts earlier in the first annotator's layer, then in the
    second's, then to the shorter spans, then to the earlier positions in the layers;
    a span already taken is never reused. Callers order annotators by name, so the
    matching does not depend on the order of the input.
    """
    starts, ends, labels = batch.padded()
    # Every slot is filled below: each pair (i, j) visits every document with more than j
    # annotators.
    matches: list[list[Matches]] = [
        [_NO_MATCHES] * (coders * (coders - 1) // 2) for coders in batch.coders.tolist()
    ]
    for i, j, docs in batch.pair_slots():
        a, b = batch.first_layer[docs] + i, batch.first_layer[docs] + j
        overlap = np.minimum(ends[a][:, :, None], ends[b][:, None, :]) - np.maximum(
            starts[a][:, :, None], starts[b][:, None, :]
        )
        same = (labels[a][:, :, None] == labels[b][:, None, :]) & (labels[a][:, :, None] >= 0)
        pair, rows, cols = np.nonzero((overlap > 0) & same)
        order = stable_order(
            pair,
            -overlap[pair, rows, cols],
            starts[a[pair], rows],
            starts[b[pair], cols],
            ends[a[pair], rows] - starts[a[pair], rows],
            ends[b[pair], cols] - starts[b[pair], cols],
            rows,
            cols,
        )
        pair, rows, cols = pair[order], rows[order], cols[order]
        width = starts.shape[1]
        taken = _taken_greedily(pair * width + rows, pair * width + cols)
        # Candidates are sorted by pair first, so each pair's matches are one run.
        kept_rows, kept_cols = rows[taken].tolist(), cols[taken].tolist()
        stops = np.cumsum(np.bincount(pair[taken], minlength=docs.size)).tolist()
        for doc, slot, start, stop in zip(
            docs.tolist(),
            pair_index(i, j, batch.coders[docs]).tolist(),
            [0, *stops[:-1]],
            stops,
            strict=True,
        ):
            matches[doc][slot] = (kept_rows[start:stop], kept_cols[start:stop])
    return matches


def _taken_greedily(first: IntArray, second: IntArray) -> BoolArray:
    """Which candidates (first unit, second unit), taken in the order given, find both
    their units still free.

    A candidate whose two units are in no other candidate is always taken and takes
    nothing from any other, so only the contested candidates are walked one by one.
    """
    taken = np.ones(first.size, dtype=bool)
    if not first.size:
        return taken
    size = int(max(first.max(), second.max())) + 1
    contested = np.nonzero(
        (np.bincount(first, minlength=size)[first] > 1)
        | (np.bincount(second, minlength=size)[second] > 1)
    )[0]
    taken[contested] = False
    used_first: set[int] = set()
    used_second: set[int] = set()
    kept = []
    for index, unit_first, unit_second in zip(
        contested.tolist(), first[contested].tolist(), second[contested].tolist(), strict=True
    ):
        if unit_first not in used_first and unit_second not in used_second:
            used_first.add(unit_first)
            used_second.add(unit_second)
            kept.append(index)
    taken[kept] = True
    return taken


def exact_match_counts(first: Sequence[SpanUnit], second: Sequence[SpanUnit]) -> Counter[str]:
    """Per label, how many spans the two layers share with identical start, end and label."""
    a = Counter((s.start, s.end, s.label) for s in first)
    b = Counter((s.start, s.end, s.label) for s in second)
    result: Counter[str] = Counter()
    for key, count in (a & b).items():
        result[key[2]] += count
    return result


def exact_match_counts_batch(batch: LayerBatch) -> IntArray:
    """:func:`exact_match_counts` of every two annotators of every document: an array
    [document, pair, label], pairs in ``itertools.combinations`` order.

    Units are grouped by (document, start, end, label); a group holding c_i units of
    annotator i and c_j of annotator j has min(c_i, c_j) one-to-one matches.
    """
    documents, labels = batch.documents, batch.label_count
    most = int(batch.coders.max()) if documents else 0
    most_pairs = most * (most - 1) // 2
    unit_doc = batch.unit_doc
    order = stable_order(unit_doc, batch.starts, batch.ends, batch.labels)
    doc, start, end, label = (
        unit_doc[order],
        batch.starts[order],
        batch.ends[order],
        batch.labels[order],
    )
    opens = np.ones(order.size, dtype=bool)
    opens[1:] = (
        (doc[1:] != doc[:-1])
        | (start[1:] != start[:-1])
        | (end[1:] != end[:-1])
        | (label[1:] != label[:-1])
    )
    group = np.cumsum(opens) - 1
    groups = int(opens.sum())
    coder = (batch.owner - batch.first_layer[unit_doc])[order]
    counts = np.bincount(group * most + coder, minlength=groups * most).reshape(groups, most)
    group_doc, group_label = doc[opens], label[opens]
    group_coders = batch.coders[group_doc]
    # Every pair's matches are gathered and counted once: a count over the whole
    # [document, pair, label] array per pair would cost pairs² (a document of 40
    # annotators took seconds).
    cells, matched = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    for i, j in combinations(range(most), 2):
        both = np.minimum(counts[:, i], counts[:, j])
        # A group of a document without annotator j has no count there, so no match.
        found = np.nonzero(both)[0]
        slot = group_doc[found] * most_pairs + pair_index(i, j, group_coders[found])
        cells.append(slot * labels + group_label[found])
        matched.append(both[found])
    result = np.bincount(
        np.concatenate(cells),
        weights=np.concatenate(matched),
        minlength=documents * most_pairs * labels,
    )
    exact: IntArray = result.astype(np.int64).reshape(documents, most_pairs, labels)
    return exact


def relation_counts(
    first: Sequence[SpanUnit],
    second: Sequence[SpanUnit],
    relations_a: Iterable[RelationUnit],
    relations_b: Iterable[RelationUnit],
    matches: Matches,
) -> dict[str, dict[str, int]]:
    """Per relation type: relations of each annotator and how many the other one shares.

    A relation of the first annotator is matched when the second has a relation of the
    same type from the overlap-match partner of its source to the partner of its
    target (both endpoints must be matched); relations are matched one to one.
    """
    result: dict[str, dict[str, int]] = {}
    for side, relations in (("n_a", relations_a), ("n_b", relations_b)):
        for r in relations:
            counts = result.get(r.type)
            if counts is None:
                counts = result[r.type] = {"n_a": 0, "n_b": 0, "matched": 0}
            counts[side] += 1
    if not result:
        return result
    unmatched: dict[tuple[str, str, str], int] = {}
    for r in relations_b:
        key = (r.type, r.source, r.target)
        unmatched[key] = unmatched.get(key, 0) + 1
    rows, cols = matches
    partner = dict(
        zip(
            map(_span_id, map(first.__getitem__, rows)),
            map(_span_id, map(second.__getitem__, cols)),
            strict=True,
        )
    )
    for r in relations_a:
        if r.source in partner and r.target in partner:
            key = (r.type, partner[r.source], partner[r.target])
            if unmatched.get(key, 0) > 0:
                unmatched[key] -= 1
                result[r.type]["matched"] += 1
    return result


def attribute_value_key(value: Any) -> str:
    """A stable string for an attribute value, so tables can be keyed in JSON."""
    # bool cannot be subclassed, so comparing the type is exact, and cheaper than
    # isinstance on the tens of thousands of values of a large input.
    if type(value) is bool:
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True)


def attribute_tables(
    first: Sequence[SpanUnit], second: Sequence[SpanUnit], matches: Matches
) -> dict[str, dict[str, dict[str, int]]]:
    """Per attribute name, counts of (first annotator's value, second's) over matched spans.

    Only pairs where both spans carry a (non-null) value for the attribute count; a
    value missing on one side is a missing value, not a disagreement. Attribute names
    come in the order the first annotator's spans give them.
    """
    tables: dict[str, dict[str, dict[str, int]]] = {}
    for row, col in zip(*matches, strict=True):
        theirs = second[col].attributes
        for name, value in first[row].attributes.items():
            other = theirs.get(name)
            if value is None or other is None:
                continue
            cell = tables.setdefault(name, {}).setdefault(attribute_value_key(value), {})
            key = attribute_value_key(other)
            cell[key] = cell.get(key, 0) + 1
    return tables


def table_to_matrix(table: Mapping[str, Mapping[str, float]]) -> tuple[list[str], FloatArray]:
    """A nested {first value: {second value: count}} table as a square matrix."""
    values = sorted(set(table) | {k for row in table.values() for k in row})
    empty: Mapping[str, float] = {}
    rows = [table.get(a, empty) for a in values]
    matrix = np.array([[row.get(b, 0.0) for b in values] for row in rows], dtype=np.float64)
    return values, matrix.reshape(len(values), len(values))

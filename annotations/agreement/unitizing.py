"""Krippendorff's unitizing coefficients: αU (1995/2004) and the uα family (2016).

Both work on a continuum of ``length`` positions (code points) that every annotator
divides into units (their spans) and gaps. The functions here split each coefficient
into *statistics* that add up across documents and a *metric* step that turns the
summed statistics into values, so a project figure is recomputed from stored
per-document statistics without revisiting any span.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from itertools import accumulate, pairwise
from operator import lt, mul
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .layers import LayerBatch, pair_index, ranges, unique

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

#: The value of a gap (matter no annotator marked) in the uα coincidence matrices.
GAP = ""
#: Joins the labels of a stretch one annotator marked with several labels at once.
COMPOUND_SEPARATOR = "+"


def _from_histogram(histogram: Mapping[str, float]) -> tuple[FloatArray, FloatArray]:
    # map(int) over the keys runs in C; numpy's own parsing of strings is slower.
    size = len(histogram)
    lengths = np.fromiter(map(int, histogram), dtype=np.float64, count=size)
    counts = np.fromiter(histogram.values(), dtype=np.float64, count=size)
    order = np.argsort(lengths)
    return lengths[order], counts[order]


def _histograms(keys: IntArray, lengths: IntArray, size: int) -> list[dict[str, int]]:
    """Per key in [0, size), the histogram {length: count} of the positive ``lengths``."""
    keep = lengths > 0
    span = int(lengths.max()) + 1 if lengths.size else 1
    unique, counts = np.unique(keys[keep] * span + lengths[keep], return_counts=True)
    # Each key's lengths are a run of the sorted unique values: one dict per run, built
    # from slices, costs far less than one dict update per length.
    bounds = np.searchsorted(unique, np.arange(size + 1) * span).tolist()
    names = list(map(str, (unique % span).tolist()))
    tallies = counts.tolist()
    return [
        dict(zip(names[low:high], tallies[low:high], strict=True)) for low, high in pairwise(bounds)
    ]


def _run_sums(values: IntArray, lengths: IntArray) -> IntArray:
    """The sums of consecutive runs of ``values`` of the given lengths (integers, exact)."""
    ends = np.cumsum(lengths)
    totals = np.concatenate([[0], np.cumsum(values)])
    result: IntArray = totals[ends] - totals[ends - lengths]
    return result


def alpha_u_statistics(batch: LayerBatch) -> tuple[list[dict[int, dict[str, Any]]], FloatArray]:
    """Per-document statistics of αU for every label, and the shared length of each pair.

    ``batch`` holds each annotator's units with, within a layer, one label's units never
    overlapping, sorted by (label, start). Per document, per label index present in the
    document: ``observed``, Σ over annotator pairs of Σ δ² (below); ``units``, a
    histogram {length: count} of unit lengths; ``gaps``, the histogram of every
    annotator's gap lengths (gaps never run across a document boundary). Histograms add
    and subtract like the sums. The shared lengths (characters both annotators of a
    pair cover with the label, for the pairwise character-level alpha) are an array
    [document, pair, label], pairs in the order of ``itertools.combinations``.

    δ² follows Krippendorff (2004, p. 252): two units of the label that overlap
    contribute (b_i − b_j)² + (e_i − e_j)²; a unit inside the other annotator's gap
    (it overlaps none of their units of the label) contributes its squared length l²;
    gap against gap contributes 0. This is the sum DKPro Statistics accumulates pair
    by pair while it walks the continuum.
    """
    documents, labels = batch.documents, batch.label_count
    observed = np.zeros(documents * labels)
    most_pairs = int((batch.coders * (batch.coders - 1) // 2).max()) if documents else 0
    shared = np.zeros((documents, most_pairs, labels))
    unit_doc = batch.unit_doc
    doc_label = unit_doc * labels + batch.labels
    # Positions as one sorted key per (document, label): each layer's units of a label
    # are disjoint and sorted by start, so their ends are sorted too.
    span = int(batch.lengths.max()) + 1 if documents else 1
    start_key, end_key = doc_label * span + batch.starts, doc_label * span + batch.ends
    squared_length = (batch.ends - batch.starts) ** 2
    layer_start = np.searchsorted(batch.owner, np.arange(batch.layers + 1))
    for i, j, docs in batch.pair_slots():
        first_layers = batch.first_layer[docs]
        a = ranges(layer_start[first_layers + i], layer_start[first_layers + i + 1])
        b = ranges(layer_start[first_layers + j], layer_start[first_layers + j + 1])
        # The units of b that a unit of a overlaps are one run of b: those that end after
        # it starts and start before it ends.
        low = np.searchsorted(end_key[b], start_key[a], side="right")
        high = np.maximum(np.searchsorted(start_key[b], end_key[a]), low)
        runs = ranges(low, high)
        mine, theirs = np.repeat(a, high - low), b[runs]
        squared = (batch.starts[mine] - batch.starts[theirs]) ** 2 + (
            batch.ends[mine] - batch.ends[theirs]
        ) ** 2
        both = np.minimum(batch.ends[mine], batch.ends[theirs]) - np.maximum(
            batch.starts[mine], batch.starts[theirs]
        )
        per_a = np.where(high > low, _run_sums(squared, high - low), squared_length[a])
        per_b = np.where(np.bincount(runs, minlength=b.size) > 0, 0, squared_length[b])
        observed += np.bincount(doc_label[a], weights=per_a, minlength=documents * labels)
        observed += np.bincount(doc_label[b], weights=per_b, minlength=documents * labels)
        shared[docs, pair_index(i, j, batch.coders[docs])] = np.bincount(
            doc_label[a], weights=_run_sums(both, high - low), minlength=documents * labels
        ).reshape(documents, labels)[docs]
    group = batch.owner * labels + batch.labels
    first_of_group = np.ones(group.size, dtype=bool)
    first_of_group[1:] = group[1:] != group[:-1]
    previous_end = np.concatenate([[0], batch.ends[:-1]]).astype(np.int64)
    previous_end[first_of_group] = 0
    last_end = np.zeros(batch.layers * labels, dtype=np.int64)
    np.maximum.at(last_end, group, batch.ends)
    present = np.bincount(doc_label, minlength=documents * labels) > 0
    # Every layer's last gap of every label the document has (the whole text where
    # the annotator marked nothing with that label).
    final_layer, final_label = np.nonzero(present.reshape(documents, labels)[batch.layer_doc])
    final_doc = batch.layer_doc[final_layer]
    final_gaps = batch.lengths[final_doc] - last_end[final_layer * labels + final_label]
    unit_hist = _histograms(doc_label, batch.ends - batch.starts, documents * labels)
    gap_hist = _histograms(
        np.concatenate([doc_label, final_doc * labels + final_label]),
        np.concatenate([batch.starts - previous_end, final_gaps]),
        documents * labels,
    )
    totals = observed.tolist()
    per_document: list[dict[int, dict[str, Any]]] = [{} for _ in range(documents)]
    for key in np.nonzero(present)[0].tolist():
        per_document[key // labels][key % labels] = {
            "observed": totals[key],
            "units": unit_hist[key],
            "gaps": gap_hist[key],
        }
    return per_document, shared


def alpha_u_disagreements(
    label: Mapping[str, Any], pair_length: float, rated_length: float, length: float
) -> tuple[float, float]:
    """Observed and expected disagreement of αU for one label.

    Krippendorff (2004), Content Analysis, 2nd ed., the unitizing α (example p. 254), as
    implemented by DKPro Statistics' KrippendorffAlphaUnitizingAgreement, with m coders, continuum
    length L, N_c units of the label with lengths l, and gaps g of every coder:

        D_o = 2 / (m(m − 1) L²) · Σ_pairs Σ δ²
        D_e = (2/L) · Σ_units [ (N_c − 1)(2l³ − 3l² + l)/3 + l² Σ_{g ≥ l} (g − l + 1) ]
              / ( mL(mL − 1) − Σ_units l(l − 1) )

    Across documents the continuum is the disjoint union of the documents (gaps do
    not merge over a document boundary), so m(m − 1)L²/2 becomes
    ``pair_length`` · ``length`` with pair_length = Σ_d m_d(m_d − 1)/2 · L_d, and mL
    becomes ``rated_length`` = Σ_d m_d L_d; for one document, or documents that all
    have the same m, these are exactly DKPro's values.
    """
    observed = float(label.get("observed", 0.0)) / (pair_length * length) if pair_length else 0.0
    if length == 0:
        return observed, 0.0
    expected = None
    if len(label.get("units", {})) + len(label.get("gaps", {})) <= _FEW_LENGTHS:
        expected = _expected_in_integers(label, rated_length, length)
    if expected is None:
        expected = _expected_in_floats(label, rated_length, length)
    return observed, expected


#: Doubles hold every integer below 2⁵³ exactly.
_EXACT_BELOW = 1 << 53
#: Up to about this many lengths (a document's histograms hold a few dozen), Python
#: integers cost less than numpy's calls; a project's thousands of lengths go to numpy.
_FEW_LENGTHS = 100


def _sorted_histogram(histogram: Mapping[str, Any]) -> tuple[list[int], list[Any]]:
    """A histogram's lengths, ascending, and their counts."""
    lengths = list(map(int, histogram))
    counts = list(histogram.values())
    # A document's histograms come in order; a combined one may not.
    if not all(map(lt, lengths, lengths[1:])):
        order = sorted(range(len(lengths)), key=lengths.__getitem__)
        lengths, counts = [lengths[i] for i in order], [counts[i] for i in order]
    return lengths, counts


def _expected_in_integers(
    label: Mapping[str, Any], rated_length: float, length: float
) -> float | None:
    """D_e of :func:`alpha_u_disagreements` with its sums in Python integers, or None
    where they could outgrow a double's integers.

    Every term of D_e's numerator and of Σ l(l − 1) is an integer. With N units of
    lengths up to L, whose counts are positive integers, and gaps of total length G,
    each intermediate of :func:`_expected_in_floats` is at most N(2N·L³ + L²·G); below
    2⁵³ every one of them is an exact integer there, so integers computed here and
    converted once are the same doubles, without numpy's cost per call on a document's
    few dozen lengths. Otherwise (a very large project) the float computation runs.
    """
    unit_lengths, unit_counts = _sorted_histogram(label.get("units", {}))
    gap_lengths, gap_counts = _sorted_histogram(label.get("gaps", {}))
    counts = unit_counts + gap_counts
    # Integers sum to an int; a float (or any other number) among them would not.
    if counts and (min(counts) < 1 or type(sum(counts)) is not int):
        return None
    if not unit_lengths:
        return 0.0
    if unit_lengths[0] < 1 or (gap_lengths and gap_lengths[0] < 1):
        return None
    total_units = sum(unit_counts)
    longest = unit_lengths[-1]
    gap_total = sum(map(mul, gap_lengths, gap_counts))
    if total_units * (2 * total_units * longest**3 + longest**2 * gap_total) >= _EXACT_BELOW:
        return None
    # Σ_{g ≥ l} g·count and Σ_{g ≥ l} count from each gap length on, 0 past the longest:
    # running sums from the longest gap down, read backwards.
    weighted = [*accumulate(map(mul, reversed(gap_lengths), reversed(gap_counts)), initial=0)]
    how_many = [*accumulate(reversed(gap_counts), initial=0)]
    weighted.reverse()
    how_many.reverse()
    numerator = self_pairs = 0
    for unit, count in zip(unit_lengths, unit_counts, strict=True):
        first = bisect_left(gap_lengths, unit)
        placements = weighted[first] - (unit - 1) * how_many[first]
        within = (total_units - 1) * unit * (unit - 1) * (2 * unit - 1) // 3
        numerator += count * (within + unit**2 * placements)
        self_pairs += count * unit * (unit - 1)
    denominator = rated_length * (rated_length - 1.0) - float(self_pairs)
    return (2.0 / length) * float(numerator) / denominator if denominator > 0 else 0.0


def _expected_in_floats(label: Mapping[str, Any], rated_length: float, length: float) -> float:
    """D_e of :func:`alpha_u_disagreements` in numpy doubles, for any histograms."""
    units, unit_counts = _from_histogram(label.get("units", {}))
    gaps, gap_counts = _from_histogram(label.get("gaps", {}))
    total_units = float(unit_counts.sum())
    if total_units == 0:
        return 0.0
    # Σ_{g ≥ l} (g − l + 1) over the gaps, for every unit length l at once.
    weighted = np.concatenate([np.cumsum((gaps * gap_counts)[::-1])[::-1], [0.0]])
    how_many = np.concatenate([np.cumsum(gap_counts[::-1])[::-1], [0.0]])
    first = np.searchsorted(gaps, units, side="left")
    placements = weighted[first] - (units - 1.0) * how_many[first]
    within = (total_units - 1.0) * (2 * units**3 - 3 * units**2 + units) / 3.0
    numerator = float((unit_counts * (within + units**2 * placements)).sum())
    self_pairs = float((unit_counts * units * (units - 1.0)).sum())
    denominator = rated_length * (rated_length - 1.0) - self_pairs
    return (2.0 / length) * numerator / denominator if denominator > 0 else 0.0


def alpha_u_metrics(statistics: Mapping[str, Any]) -> tuple[float | None, dict[str, float | None]]:
    """αU overall and per label from (summed) statistics.

    Per label αU_c = 1 − D_o,c / D_e,c. Overall, DKPro averages D_o and D_e over the
    labels and takes 1 − mean D_o / mean D_e, i.e. 1 − Σ_c D_o,c / Σ_c D_e,c. None
    where the expected disagreement is zero (no units at all, or no room for chance).
    """
    norm = statistics.get("norm", {})
    by_label: dict[str, float | None] = {}
    total_observed = total_expected = 0.0
    for name, label in sorted(statistics.get("labels", {}).items()):
        if not any(label.get("units", {}).values()):
            continue
        observed, expected = alpha_u_disagreements(
            label, norm.get("pair_length", 0), norm.get("rated_length", 0), norm.get("length", 0)
        )
        by_label[name] = 1.0 - observed / expected if expected > 0 else None
        total_observed += observed
        total_expected += expected
    overall = 1.0 - total_observed / total_expected if total_expected > 0 else None
    return overall, by_label


def u_alpha_statistics(batch: LayerBatch, label_names: Sequence[str]) -> list[dict[str, Any]]:
    """Per-document statistics of the uα family (Krippendorff et al. 2016).

    ``batch`` holds each annotator's (start, end, label index) spans, in any order and
    possibly overlapping; ``label_names`` names the label indexes. Per document, with
    values named by label (``""`` for a gap, ``"a+b"`` for a stretch one annotator
    marked with both a and b):

    - ``o``: the coincidence matrix, o_ck = Σ_i Σ_{j≠i} Σ_g Σ_h |s_ig ∩ s_jh| / (m − 1)
      over sections s_ig of annotator i with value c and s_jh of j with value k (eq. 1);
    - ``sq``: Σ over every annotator's sections of l² for a unit and l for a gap, the
      self-pairing correction of the expected matrix (eq. 4);
    - ``cu_sq``: per value c, Σ_i Σ_{j≠i} Σ_{units g of i with value c}
      |s_ig ∩ units of j|² / (m − 1), the correction of the cuα expected matrix
      (eq. 10) — see :func:`u_alpha_metrics` for this reading with m ≥ 3;
    - ``n``: m · length, the number of pairable positions.

    An annotator's sections are the stretches between their own span boundaries (so
    adjacent spans stay separate units); a section's value is the set of labels
    covering it.
    """
    documents, labels = batch.documents, batch.label_count
    span = int(batch.lengths.max()) + 1 if documents else 1
    layer_ids = np.arange(batch.layers, dtype=np.int64)
    # Every layer's section boundaries, as one sorted array of layer · span + position.
    bounds = unique(
        np.concatenate(
            [
                layer_ids * span,
                layer_ids * span + batch.lengths[batch.layer_doc],
                batch.owner * span + batch.starts,
                batch.owner * span + batch.ends,
            ]
        )
    )
    at_start = np.searchsorted(bounds, batch.owner * span + batch.starts)
    at_end = np.searchsorted(bounds, batch.owner * span + batch.ends)
    events = np.bincount(at_start * labels + batch.labels, minlength=bounds.size * labels)
    events -= np.bincount(at_end * labels + batch.labels, minlength=bounds.size * labels)
    # Each layer's events sum to zero, so one running sum restarts at every layer.
    covered = np.cumsum(events.reshape(bounds.size, labels), axis=0) > 0
    values = covered.astype(np.int64) @ (1 << np.arange(labels, dtype=np.int64))
    bound_layer, bound_position = bounds // span, bounds % span
    inner = bound_layer[:-1] == bound_layer[1:]
    section_key = bounds[:-1][inner]
    section_layer = bound_layer[:-1][inner]
    section_doc = batch.layer_doc[section_layer]
    section_length = (bound_position[1:] - bound_position[:-1])[inner].astype(np.float64)
    section_value = values[:-1][inner]
    distinct = unique(np.concatenate([section_value, [0]]))
    size = distinct.size
    names = [
        COMPOUND_SEPARATOR.join(name for bit, name in enumerate(label_names) if value >> bit & 1)
        for value in distinct.tolist()
    ]
    code = np.searchsorted(distinct, section_value)
    is_unit = section_value != 0
    # Sums are kept per document over its own values only (the gap always among them):
    # a batch's values together can number thousands where spans of many labels
    # overlap, and documents × values² cells would not fit in memory. ``seen`` holds
    # the sorted (document, code) keys, one run per document; a section's ``slot`` is
    # its key's place there, and a document's matrix takes its values² cells of
    # ``observed`` from ``first_cell`` on.
    seen = unique(np.concatenate([section_doc * size + code, np.arange(documents) * size]))
    runs = np.searchsorted(seen, np.arange(documents + 1) * size)
    own_size = np.diff(runs)
    first_cell = np.concatenate([[0], np.cumsum(own_size**2)])
    slot = np.searchsorted(seen, section_doc * size + code)
    local = slot - runs[section_doc]
    row_cell = first_cell[section_doc] + local * own_size[section_doc]
    sq = np.bincount(
        slot,
        weights=np.where(is_unit, section_length**2, section_length),
        minlength=seen.size,
    )
    observed = np.zeros(int(first_cell[-1]))
    cu_sq = np.zeros(seen.size)
    for i, j, docs in batch.pair_slots():
        pair_layers = (batch.first_layer[docs] + i, batch.first_layer[docs] + j)
        # The pair's cuts: both layers' boundaries, as one sorted array of pair · span + position.
        parts = []
        for layers in pair_layers:
            first = np.searchsorted(bound_layer, layers)
            last = np.searchsorted(bound_layer, layers, side="right")
            pair_of = np.repeat(np.arange(docs.size, dtype=np.int64), last - first)
            parts.append(pair_of * span + bound_position[ranges(first, last)])
        cuts = unique(np.concatenate(parts))
        cut_pair, cut_position = cuts // span, cuts % span
        inside = cut_pair[:-1] == cut_pair[1:]
        piece_pair = cut_pair[:-1][inside]
        piece_start = cut_position[:-1][inside]
        pieces = (cut_position[1:] - cut_position[:-1])[inside].astype(np.float64)
        at_i, at_j = (
            np.searchsorted(section_key, layers[piece_pair] * span + piece_start, side="right") - 1
            for layers in pair_layers
        )
        observed += np.bincount(
            row_cell[at_i] + local[at_j], weights=pieces, minlength=observed.size
        )
        observed += np.bincount(
            row_cell[at_j] + local[at_i], weights=pieces, minlength=observed.size
        )
        for own, other in ((at_i, at_j), (at_j, at_i)):
            with_units = np.bincount(
                own, weights=pieces * is_unit[other], minlength=section_key.size
            )
            cu_sq += np.bincount(slot, weights=with_units**2 * is_unit, minlength=seen.size)
    scale = 1.0 / np.maximum(batch.coders - 1, 1)
    cells = (observed * np.repeat(scale, own_size**2)).tolist()
    squares = sq.tolist()
    corrections = (cu_sq * np.repeat(scale, own_size)).tolist()
    seen_names = [names[c] for c in (seen % size).tolist()]
    result = []
    for doc, (low, high) in enumerate(pairwise(runs.tolist())):
        own, width, offset = seen_names[low:high], high - low, int(first_cell[doc])
        rows = [cells[at : at + width] for at in range(offset, offset + width * width, width)]
        result.append(
            {
                "n": float(batch.coders[doc] * batch.lengths[doc]),
                "o": {
                    name: {other: value for other, value in zip(own, row, strict=True) if value}
                    for name, row in zip(own, rows, strict=True)
                },
                "sq": {
                    name: value for name, value in zip(own, squares[low:high], strict=True) if value
                },
                "cu_sq": {
                    name: value
                    for name, value in zip(own, corrections[low:high], strict=True)
                    if value
                },
            }
        )
    return result


def _ratio_alpha(observed: float, expected: float) -> float | None:
    return 1.0 - float(observed) / float(expected) if expected > 1e-12 else None


def u_alpha_metrics(statistics: Mapping[str, Any]) -> dict[str, Any]:
    """uα, |uα, cuα and (k)uα from (summed) statistics, all with the nominal metric.

    Krippendorff, K., Mathet, Y., Bouvry, S. & Widlöcher, A. (2016). On the reliability
    of unitizing textual continua: Further developments. Quality & Quantity
    50(6):2347–2364 (equation numbers below are the paper's). With o the observed
    coincidences, o_c their margins, n = Σ_c o_c = mL and S = Σ sq:

    - expected coincidences e_ck = n (o_c o_k − [c = k] sq_c) / (n² − S) (eq. 4);
    - uα = 1 − (n − Σ_c o_cc) / (n − Σ_c e_cc), over every value including the gap (eq. 5);
    - |uα = 1 − (o_∅ − o_∅∅) / (e_∅ − e_∅∅), units taken together against gaps (eq. 6);
    - cuα: restricted to intersecting units, o'_c = o_c − o_c∅, n' = Σ_{c≠∅} o'_c,
      e'_ck = (o'_c o'_k − [c = k] cu_sq_c) / (n' − Σ_c cu_sq_c / n') (eq. 10),
      cuα = 1 − (n' − Σ_c o_cc) / (n' − Σ_c e'_cc) (eq. 11);
    - (k)uα = 1 − (e'_k / o'_k) · (o'_k − o_kk) / (e'_k − e'_kk), e'_k = Σ_c e'_kc (eq. 13).

    Reading chosen for three or more annotators: the paper's correction in eq. 10 is
    the squared length of a unit's intersection with the other annotator's units;
    with m ≥ 3 annotators a unit of i meets m − 1 other annotators, and we average the
    correction over them (Σ_{j≠i} |s_ig ∩ units_j|² / (m − 1)), the same 1/(m − 1)
    weighting the observed coincidences use, so each annotator's contribution to the
    matrix and to its correction carry equal weight whatever m is. With two
    annotators this is exactly the paper's formula.

    Every coefficient is None where its expected disagreement is zero.
    """
    observed_map: Mapping[str, Mapping[str, float]] = statistics.get("o", {})
    names = sorted(
        set(observed_map)
        | {k for row in observed_map.values() for k in row}
        | set(statistics.get("sq", {}))
        | {GAP}
    )
    size = len(names)
    position = {name: index for index, name in enumerate(names)}
    cells = [0.0] * (size * size)
    for c, row in observed_map.items():
        for k, value in row.items():
            cells[position[c] * size + position[k]] = value
    observed = np.array(cells, dtype=np.float64).reshape(size, size)
    sq = np.array([statistics.get("sq", {}).get(name, 0.0) for name in names])
    cu_sq = np.array([statistics.get("cu_sq", {}).get(name, 0.0) for name in names])
    total = float(statistics.get("n", 0.0))
    result: dict[str, Any] = {
        "u_alpha": None,
        "abs_u_alpha": None,
        "cu_alpha": None,
        "k_u_alpha_by_label": {},
    }
    margins = observed.sum(axis=1)
    denominator = total**2 - float(sq.sum())
    gap = position[GAP]
    if total > 0 and denominator > 0:
        expected = total * (np.outer(margins, margins) - np.diag(sq)) / denominator
        result["u_alpha"] = _ratio_alpha(
            total - float(observed.trace()), total - float(expected.trace())
        )
        result["abs_u_alpha"] = _ratio_alpha(
            margins[gap] - observed[gap, gap], float(expected[gap].sum()) - expected[gap, gap]
        )
    valued = [index for index in range(size) if index != gap]
    unit_margins = margins[valued] - observed[valued, gap]
    unit_total = float(unit_margins.sum())
    if unit_total <= 0:
        return result
    correction = cu_sq[valued]
    unit_denominator = unit_total - float(correction.sum()) / unit_total
    if unit_denominator <= 0:
        return result
    unit_expected = (np.outer(unit_margins, unit_margins) - np.diag(correction)) / unit_denominator
    agreeing = observed[valued, valued]
    result["cu_alpha"] = _ratio_alpha(
        unit_total - float(agreeing.sum()), unit_total - float(unit_expected.trace())
    )
    # Label by label, in plain floats: the same double arithmetic as numpy's scalars.
    for index, own, expected_margin, expected_own, agreed in zip(
        valued,
        unit_margins.tolist(),
        unit_expected.sum(axis=1).tolist(),
        unit_expected.diagonal().tolist(),
        agreeing.tolist(),
        strict=True,
    ):
        expected_off = expected_margin - expected_own
        if own <= 0 or expected_margin <= 0 or expected_off <= 1e-12:
            result["k_u_alpha_by_label"][names[index]] = None
            continue
        ratio = (expected_margin / own) * (own - agreed) / expected_off
        result["k_u_alpha_by_label"][names[index]] = 1.0 - ratio
    return result

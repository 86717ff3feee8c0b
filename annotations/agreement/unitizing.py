"""Krippendorff's unitizing coefficients: αU (1995/2004) and the uα family (2016).

Both work on a continuum of ``length`` positions (code points) that every annotator
divides into units (their spans) and gaps. The functions here split each coefficient
into *statistics* that add up across documents and a *metric* step that turns the
summed statistics into values, so a project figure is recomputed from stored
per-document statistics without revisiting any span.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
#: One annotator's units: starts, ends and label indexes, sorted by (label, start),
#: units of one label never overlapping.
Layer = tuple[IntArray, IntArray, IntArray]

#: The value of a gap (matter no annotator marked) in the uα coincidence matrices.
GAP = ""
#: Joins the labels of a stretch one annotator marked with several labels at once.
COMPOUND_SEPARATOR = "+"


def _pair_terms(first: Layer, second: Layer, labels: int) -> tuple[FloatArray, FloatArray]:
    """Per label, Σ δ² between two annotators' units and the length both cover.

    δ² follows Krippendorff (2004, p. 252): two units of the label that overlap
    contribute (b_i − b_j)² + (e_i − e_j)²; a unit inside the other annotator's gap
    (it overlaps none of their units of the label) contributes its squared length l²;
    gap against gap contributes 0. This is the sum DKPro Statistics accumulates pair
    by pair while it walks the continuum. The shared length (characters both cover
    with the label) feeds the pairwise character-level alpha.
    """
    (starts_a, ends_a, labels_a), (starts_b, ends_b, labels_b) = first, second
    overlap = (
        (labels_a[:, None] == labels_b[None, :])
        & (starts_a[:, None] < ends_b[None, :])
        & (starts_b[None, :] < ends_a[:, None])
    )
    begin = starts_a[:, None] - starts_b[None, :]
    end = ends_a[:, None] - ends_b[None, :]
    per_unit = ((begin**2 + end**2) * overlap).sum(axis=1)
    per_unit += ((ends_a - starts_a) ** 2) * ~overlap.any(axis=1)
    disagreement = np.bincount(labels_a, weights=per_unit, minlength=labels).astype(np.float64)
    disagreement += np.bincount(
        labels_b, weights=((ends_b - starts_b) ** 2) * ~overlap.any(axis=0), minlength=labels
    )
    both = np.minimum(ends_a[:, None], ends_b[None, :]) - np.maximum(
        starts_a[:, None], starts_b[None, :]
    )
    shared = np.bincount(labels_a, weights=(both * overlap).sum(axis=1), minlength=labels)
    return disagreement, shared.astype(np.float64)


def _gaps(layer: Layer, labels: int, length: int) -> tuple[IntArray, IntArray]:
    """Every gap of one annotator per label: gap lengths and their label indexes."""
    starts, ends, label_index = layer
    first_of_label = np.ones(starts.size, dtype=bool)
    first_of_label[1:] = label_index[1:] != label_index[:-1]
    previous_end = np.concatenate([[0], ends[:-1]])
    previous_end[first_of_label] = 0
    last_end = np.zeros(labels, dtype=np.int64)
    last_end[label_index] = ends
    lengths = np.concatenate([starts - previous_end, length - last_end])
    owners = np.concatenate([label_index, np.arange(labels)])
    keep = lengths > 0
    return lengths[keep], owners[keep]


def _histogram(lengths: IntArray) -> dict[str, int]:
    # A Counter beats np.unique on the few dozen lengths of one document.
    return {str(value): count for value, count in sorted(Counter(lengths.tolist()).items())}


def _from_histogram(histogram: Mapping[str, float]) -> tuple[FloatArray, FloatArray]:
    # map(int) over the keys runs in C; numpy's own parsing of strings is slower.
    size = len(histogram)
    lengths = np.fromiter(map(int, histogram), dtype=np.float64, count=size)
    counts = np.fromiter(histogram.values(), dtype=np.float64, count=size)
    order = np.argsort(lengths)
    return lengths[order], counts[order]


def alpha_u_statistics(
    layers: Sequence[Layer], labels: Sequence[str], length: int
) -> tuple[dict[str, dict[str, Any]], FloatArray]:
    """Per-document statistics of αU for every label, and the shared length of each pair.

    Stored per label: ``observed``, Σ over annotator pairs of Σ δ² (see
    :func:`_pair_terms`); ``units``, a histogram {length: count} of unit lengths;
    ``gaps``, the histogram of every annotator's gap lengths (gaps never run across a
    document boundary). Histograms add and subtract like the sums. The shared lengths
    are an array [pair, label], pairs in the order of ``itertools.combinations``.
    """
    count = len(labels)
    observed = np.zeros(count)
    shared = []
    for a, b in combinations(layers, 2):
        disagreement, both = _pair_terms(a, b, count)
        observed += disagreement
        shared.append(both)
    unit_lengths = np.concatenate([ends - starts for starts, ends, _ in layers])
    unit_labels = np.concatenate([index for _, _, index in layers])
    gap_parts = [_gaps(layer, count, length) for layer in layers]
    gap_lengths = np.concatenate([lengths for lengths, _ in gap_parts])
    gap_labels = np.concatenate([owners for _, owners in gap_parts])
    result = {
        label: {
            "observed": float(observed[index]),
            "units": _histogram(unit_lengths[unit_labels == index]),
            "gaps": _histogram(gap_lengths[gap_labels == index]),
        }
        for index, label in enumerate(labels)
    }
    return result, np.array(shared, dtype=np.float64).reshape(len(shared), count)


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
    units, unit_counts = _from_histogram(label.get("units", {}))
    gaps, gap_counts = _from_histogram(label.get("gaps", {}))
    observed = float(label.get("observed", 0.0)) / (pair_length * length) if pair_length else 0.0
    total_units = float(unit_counts.sum())
    if total_units == 0 or length == 0:
        return observed, 0.0
    # Σ_{g ≥ l} (g − l + 1) over the gaps, for every unit length l at once.
    weighted = np.concatenate([np.cumsum((gaps * gap_counts)[::-1])[::-1], [0.0]])
    how_many = np.concatenate([np.cumsum(gap_counts[::-1])[::-1], [0.0]])
    first = np.searchsorted(gaps, units, side="left")
    placements = weighted[first] - (units - 1.0) * how_many[first]
    within = (total_units - 1.0) * (2 * units**3 - 3 * units**2 + units) / 3.0
    numerator = float((unit_counts * (within + units**2 * placements)).sum())
    self_pairs = float((unit_counts * units * (units - 1.0)).sum())
    denominator = rated_length * (rated_length - 1.0) - self_pairs
    expected = (2.0 / length) * numerator / denominator if denominator > 0 else 0.0
    return observed, expected


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


def _sections(
    spans: Sequence[tuple[int, int, str]], length: int, bits: Mapping[str, int]
) -> tuple[IntArray, IntArray]:
    """One annotator's partition of [0, length) into sections and each section's value.

    Section boundaries are the annotator's own span boundaries, so adjacent spans stay
    separate units. A section's value is the bit set of the labels covering it: 0 for
    a gap, one bit for a plain unit, several bits where the annotator's spans of
    different labels overlap.
    """
    starts = np.array([s for s, _, _ in spans], dtype=np.int64)
    ends = np.array([e for _, e, _ in spans], dtype=np.int64)
    # Python's set beats np.unique on the few dozen boundaries of one annotator.
    bounds = np.array(sorted({0, length, *starts.tolist(), *ends.tolist()}), dtype=np.int64)
    if not spans:
        return bounds, np.zeros(bounds.size - 1, dtype=np.int64)
    labels = sorted(bits)
    label_index = np.array([labels.index(label) for _, _, label in spans])
    events = np.zeros((len(labels), bounds.size), dtype=np.int64)
    np.add.at(events, (label_index, np.searchsorted(bounds, starts)), 1)
    np.add.at(events, (label_index, np.searchsorted(bounds, ends)), -1)
    covered = np.cumsum(events, axis=1)[:, :-1] > 0
    weights = np.array([bits[label] for label in labels], dtype=np.int64)
    values: IntArray = (covered * weights[:, None]).sum(axis=0)
    return bounds, values


def u_alpha_statistics(
    layers: Sequence[Sequence[tuple[int, int, str]]], length: int
) -> dict[str, Any]:
    """Per-document statistics of the uα family (Krippendorff et al. 2016).

    ``layers`` holds, per annotator, their (start, end, label) spans. Stored, with
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
    """
    coders = len(layers)
    labels = sorted({label for spans in layers for _, _, label in spans})
    bits = {label: 1 << index for index, label in enumerate(labels)}
    sections = [_sections(spans, length, bits) for spans in layers]
    distinct = np.unique(
        np.concatenate([values for _, values in sections] + [np.zeros(1, np.int64)])
    )
    size = distinct.size
    names = [
        COMPOUND_SEPARATOR.join(label for label in labels if int(value) & bits[label])
        for value in distinct
    ]
    coded = [np.searchsorted(distinct, values) for _, values in sections]
    observed = np.zeros((size, size))
    sq = np.zeros(size)
    cu_sq = np.zeros(size)
    for (bounds, values), index in zip(sections, coded, strict=True):
        lengths = np.diff(bounds).astype(np.float64)
        sq += np.bincount(index, weights=np.where(values == 0, lengths, lengths**2), minlength=size)
    for i, j in combinations(range(coders), 2):
        (bounds_i, values_i), (bounds_j, values_j) = sections[i], sections[j]
        cuts = np.array(sorted({*bounds_i.tolist(), *bounds_j.tolist()}), dtype=np.int64)
        pieces = np.diff(cuts).astype(np.float64)
        at_i = np.searchsorted(bounds_i, cuts[:-1], side="right") - 1
        at_j = np.searchsorted(bounds_j, cuts[:-1], side="right") - 1
        pair = np.bincount(
            coded[i][at_i] * size + coded[j][at_j], weights=pieces, minlength=size * size
        ).reshape(size, size)
        observed += pair + pair.T
        for at_own, own_values, own_index, other_valued in (
            (at_i, values_i, coded[i], values_j[at_j] != 0),
            (at_j, values_j, coded[j], values_i[at_i] != 0),
        ):
            covered = np.bincount(at_own, weights=pieces * other_valued, minlength=own_values.size)
            units = own_values != 0
            cu_sq += np.bincount(own_index[units], weights=covered[units] ** 2, minlength=size)
    scale = 1.0 / (coders - 1)
    matrix = (observed * scale).tolist()
    squares = sq.tolist()
    corrections = (cu_sq * scale).tolist()
    return {
        "n": float(coders * length),
        "o": {
            names[c]: {names[k]: value for k, value in enumerate(row) if value}
            for c, row in enumerate(matrix)
        },
        "sq": {names[c]: value for c, value in enumerate(squares) if value},
        "cu_sq": {names[c]: value for c, value in enumerate(corrections) if value},
    }


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
    observed = np.zeros((size, size))
    for c, cells in observed_map.items():
        for k, value in cells.items():
            observed[position[c], position[k]] = value
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
            total - float(np.trace(observed)), total - float(np.trace(expected))
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
        unit_total - float(agreeing.sum()), unit_total - float(np.trace(unit_expected))
    )
    expected_margins = unit_expected.sum(axis=1)
    for row, index in enumerate(valued):
        own = unit_margins[row]
        expected_off = expected_margins[row] - unit_expected[row, row]
        if own <= 0 or expected_margins[row] <= 0 or expected_off <= 1e-12:
            result["k_u_alpha_by_label"][names[index]] = None
            continue
        ratio = (expected_margins[row] / own) * (own - agreeing[row]) / expected_off
        result["k_u_alpha_by_label"][names[index]] = 1.0 - float(ratio)
    return result

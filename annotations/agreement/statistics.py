"""Per-document sufficient statistics, their combination, and every metric computed from them.

``document_statistics(doc)`` returns a JSON-serialisable dict (only str keys, ints,
floats and dicts; a missing number means 0). ``combine_statistics`` adds such dicts
key by key, so combining is associative and commutative, and it can subtract, so a
stored project total is updated by one document in constant time.
``metrics_from_statistics`` turns one document's or a whole project's statistics into
the metric values, so a submission recomputes one document and the
project figure is re-aggregated from what is stored.

What decomposes how:

- character-level alpha, the uα family and attribute alpha are built from coincidence
  matrices, which are sums over units; they combine exactly;
- span and relation F1 are ratios of counts (matches and span totals); they combine
  exactly as micro-averages;
- αU's expected disagreement couples every unit with every gap in the continuum, so
  the statistics keep histograms of unit and gap lengths ({length: count}, which add
  like any sum) and the project continuum is the disjoint union of the documents:
  observed disagreement and normalisers are sums, the expected disagreement is
  recomputed from the pooled histograms (see
  :func:`annotations.agreement.unitizing.alpha_u_disagreements`).

Documents with fewer than two annotators have no pairs to compare; their statistics
are empty and they do not count towards ``documents``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import numpy as np

from .coding import alpha_from_coincidences, cohen_kappa_from_table, scott_pi_from_table
from .spans import (
    attribute_tables,
    binary_alpha,
    char_coincidences,
    exact_match_counts,
    overlap_matches,
    pair_char_coincidences,
    relation_counts,
    table_to_matrix,
)
from .types import DocumentInput, SpanUnit
from .unitizing import (
    Layer,
    alpha_u_metrics,
    alpha_u_statistics,
    u_alpha_metrics,
    u_alpha_statistics,
)

#: Bumped whenever the layout of the statistics changes, so stored rows can be recomputed.
STATISTICS_VERSION = 1
PAIR_SEPARATOR = "|"


def _merged_layer(spans: Iterable[SpanUnit], position: Mapping[str, int]) -> Layer:
    """One annotator's units per label, overlapping units of one label merged into their union.

    αU assumes an annotator's units of one category do not overlap (DKPro rejects
    such input); a project may allow overlapping spans, and two overlapping spans of
    the same label mark the same stretch as relevant, so their union is the unit.
    Adjacent spans stay separate units, as in Krippendorff's examples.
    """
    starts: list[int] = []
    ends: list[int] = []
    labels: list[int] = []
    for span in sorted(spans, key=lambda s: (position[s.label], s.start, s.end)):
        index = position[span.label]
        if labels and labels[-1] == index and span.start < ends[-1]:
            ends[-1] = max(ends[-1], span.end)
        else:
            starts.append(span.start)
            ends.append(span.end)
            labels.append(index)
    return (
        np.array(starts, dtype=np.int64),
        np.array(ends, dtype=np.int64),
        np.array(labels, dtype=np.int64),
    )


def _label_counts(
    spans_a: Sequence[SpanUnit], spans_b: Sequence[SpanUnit], matches: Sequence[tuple[int, int]]
) -> dict[str, dict[str, int]]:
    exact = exact_match_counts(spans_a, spans_b)
    overlap = Counter(spans_a[row].label for row, _ in matches)
    n_a = Counter(s.label for s in spans_a)
    n_b = Counter(s.label for s in spans_b)
    return {
        label: {
            "n_a": n_a[label],
            "n_b": n_b[label],
            "exact": exact[label],
            "overlap": overlap[label],
        }
        for label in sorted(set(n_a) | set(n_b))
    }


def document_statistics(doc: DocumentInput) -> dict[str, Any]:
    """Sufficient statistics of every metric for one document (see the module docstring)."""
    annotators = sorted(set(doc.annotators))
    if len(annotators) < 2:
        return {"version": STATISTICS_VERSION, "documents": 0}
    layers: dict[str, list[SpanUnit]] = {name: [] for name in annotators}
    for span in doc.spans:
        if span.annotator not in layers:
            raise ValueError(
                f"span by {span.annotator!r}, who is not among the document's annotators"
            )
        layers[span.annotator].append(span)
    ordered = [sorted(layers[name], key=lambda s: (s.start, s.end, s.label)) for name in annotators]
    relations: dict[str, list[Any]] = {name: [] for name in annotators}
    for relation in doc.relations:
        relations.setdefault(relation.annotator, []).append(relation)
    labels = sorted({span.label for span in doc.spans})
    coders, length = len(annotators), doc.length

    position = {label: index for index, label in enumerate(labels)}
    merged = [_merged_layer(spans, position) for spans in ordered]
    alpha_u_labels, shared = alpha_u_statistics(merged, labels, length)
    char_rows = char_coincidences(merged, len(labels), length)
    char = {
        label: {"o00": float(row[0]), "o01": float(row[1]), "o11": float(row[2])}
        for label, row in zip(labels, char_rows, strict=True)
    }
    covered = [
        np.bincount(index, weights=ends - starts, minlength=len(labels))
        for starts, ends, index in merged
    ]
    pairs: dict[str, Any] = {}
    for pair_index, (i, j) in enumerate(combinations(range(coders), 2)):
        matches = overlap_matches(ordered[i], ordered[j])
        pairs[PAIR_SEPARATOR.join((annotators[i], annotators[j]))] = {
            "length": length,
            "labels": _label_counts(ordered[i], ordered[j], matches),
            "layers": {
                label: {
                    "inter": int(shared[pair_index, index]),
                    "len_a": int(covered[i][index]),
                    "len_b": int(covered[j][index]),
                }
                for index, label in enumerate(labels)
            },
            "relations": relation_counts(
                ordered[i], ordered[j], relations[annotators[i]], relations[annotators[j]], matches
            ),
            "attributes": attribute_tables(ordered[i], ordered[j], matches),
        }
    return {
        "version": STATISTICS_VERSION,
        "documents": 1,
        "alpha_u": {
            "norm": {
                "pair_length": coders * (coders - 1) // 2 * length,
                "rated_length": coders * length,
                "length": length,
            },
            "labels": alpha_u_labels,
        },
        "u_alpha": u_alpha_statistics(
            [[(s.start, s.end, s.label) for s in spans] for spans in ordered], length
        ),
        "char": char,
        "pairs": pairs,
    }


def char_alpha_by_label(doc: DocumentInput) -> dict[str, float | None]:
    """Character-level alpha of each label layer of one document, and nothing else.

    The same values as ``metrics_from_statistics(document_statistics(doc))`` gives under
    ``char_alpha_by_label``, without computing any other metric; the benchmark compares
    this with the ``krippendorff`` package computing the same values.
    """
    annotators = sorted(set(doc.annotators))
    labels = sorted({span.label for span in doc.spans})
    position = {label: index for index, label in enumerate(labels)}
    layers = [
        _merged_layer([s for s in doc.spans if s.annotator == name], position)
        for name in annotators
    ]
    rows = char_coincidences(layers, len(labels), doc.length)
    return {
        label: binary_alpha(float(row[0]), float(row[1]), float(row[2]))
        for label, row in zip(labels, rows, strict=True)
    }


def _merge(into: dict[str, Any], other: Mapping[str, Any], sign: int = 1) -> None:
    """Add ``sign`` × ``other`` into ``into``; numbers that reach 0 and empty dicts vanish.

    Statistics are sparse: a missing number means 0, so pruning keeps a project's
    statistics from accumulating labels or lengths that no document has any more.
    """
    for key, value in other.items():
        if isinstance(value, Mapping):
            branch = into.setdefault(key, {})
            _merge(branch, value, sign)
            if not branch:
                del into[key]
        else:
            total = into.get(key, 0) + sign * value
            if total == 0:
                into.pop(key, None)
            else:
                into[key] = total


def _check_version(item: Mapping[str, Any]) -> None:
    if item.get("version") != STATISTICS_VERSION:
        raise ValueError(f"statistics version {item.get('version')!r} is not {STATISTICS_VERSION}")


def _without_version(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if key != "version"}


def combine_statistics(
    statistics: Iterable[Mapping[str, Any]], subtract: Iterable[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Sum per-document statistics into project statistics, minus those in ``subtract``.

    Every leaf is a number, so combining is exact addition (and subtraction, for
    replacing one document's old statistics by its new ones in a stored project
    total). Statistics of another layout version are rejected rather than mixed in.
    """
    combined: dict[str, Any] = {}
    for sign, items in ((1, statistics), (-1, subtract)):
        for item in items:
            _check_version(item)
            _merge(combined, _without_version(item), sign)
    return {"version": STATISTICS_VERSION} | combined


def replace_document(
    total: dict[str, Any], old: Mapping[str, Any] | None, new: Mapping[str, Any]
) -> dict[str, Any]:
    """Update a combined ``total`` in place: take out a document's ``old`` statistics (if
    any) and put in its ``new`` ones. Costs the size of one document's statistics, not of
    the total, which is what keeps a project figure current at one document per change.
    """
    for item in (total, new, *([old] if old is not None else [])):
        _check_version(item)
    _merge(total, _without_version(new))
    if old is not None:
        _merge(total, _without_version(old), -1)
    return total


def _f1(matched: float, total: float) -> float | None:
    """F1 of two layers: 2·matches / (spans of the first + spans of the second).

    With one-to-one matching, precision = matches / n_a and recall = matches / n_b, so
    their harmonic mean is 2·matches / (n_a + n_b), symmetric in the two annotators.
    None when neither marked anything.
    """
    return 2.0 * matched / total if total > 0 else None


def _span_f1(label_counts: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    totals = {label: c.get("n_a", 0) + c.get("n_b", 0) for label, c in label_counts.items()}
    overall_total = sum(totals.values())
    exact = {label: c.get("exact", 0) for label, c in label_counts.items()}
    overlap = {label: c.get("overlap", 0) for label, c in label_counts.items()}
    return {
        "f1_exact": _f1(sum(exact.values()), overall_total),
        "f1_overlap": _f1(sum(overlap.values()), overall_total),
        "f1_exact_by_label": {label: _f1(exact[label], totals[label]) for label in sorted(totals)},
        "f1_overlap_by_label": {
            label: _f1(overlap[label], totals[label]) for label in sorted(totals)
        },
    }


def _relations_f1(by_type: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    totals = {kind: c.get("n_a", 0) + c.get("n_b", 0) for kind, c in by_type.items()}
    matched = {kind: c.get("matched", 0) for kind, c in by_type.items()}
    return {
        "relations_f1": _f1(sum(matched.values()), sum(totals.values())),
        "relations_f1_by_type": {kind: _f1(matched[kind], totals[kind]) for kind in sorted(totals)},
    }


def _attribute_alpha(table: Mapping[str, Mapping[str, float]]) -> dict[str, Any]:
    """Agreement on one attribute over matched span pairs.

    Each matched pair is a unit coded twice, so the coincidence matrix is the pair
    table plus its transpose; ``alpha`` is Krippendorff's nominal alpha of it and
    ``fleiss_kappa`` is Fleiss' kappa with two ratings per unit, which equals Scott's
    pi of the pooled table. ``pairs`` is how many matched pairs carried the attribute.
    """
    values, matrix = table_to_matrix(table)
    return {
        "alpha": alpha_from_coincidences(values, matrix + matrix.T, "nominal"),
        "fleiss_kappa": scott_pi_from_table(matrix),
        "pairs": int(matrix.sum()),
    }


def _pair_metrics(pair: Mapping[str, Any]) -> dict[str, Any]:
    pooled = [0.0, 0.0, 0.0]
    for c in pair.get("layers", {}).values():
        layer = pair_char_coincidences(
            c.get("inter", 0), c.get("len_a", 0), c.get("len_b", 0), pair.get("length", 0)
        )
        pooled = [total + part for total, part in zip(pooled, layer, strict=True)]
    attributes = {
        name: {"cohen_kappa": cohen_kappa_from_table(table_to_matrix(table)[1])}
        for name, table in sorted(pair.get("attributes", {}).items())
    }
    return (
        _span_f1(pair.get("labels", {}))
        | {"char_alpha": binary_alpha(*pooled)}
        | _relations_f1(pair.get("relations", {}))
        | {"attributes": attributes}
    )


def metrics_from_statistics(statistics: Mapping[str, Any]) -> dict[str, Any]:
    """Every metric from one document's or a project's statistics.

    Keys: ``documents``; ``alpha_u``/``alpha_u_by_label`` (αU, 1995/2004); ``u_alpha``,
    ``abs_u_alpha``, ``cu_alpha``, ``k_u_alpha_by_label`` (2016); ``char_alpha`` (over all
    label layers pooled) and ``char_alpha_by_label``; ``f1_exact``, ``f1_overlap`` and
    their ``_by_label`` forms, pooled over annotator pairs; ``relations_f1`` and
    ``relations_f1_by_type``; ``attributes`` per attribute name; ``pairs`` per annotator
    pair ("alice|bob") with that pair's F1, character alpha, relation F1 and the Cohen's
    kappa of each attribute. Undefined values are None.
    """
    alpha_u, alpha_u_by_label = alpha_u_metrics(statistics.get("alpha_u", {}))
    char = statistics.get("char", {})
    result: dict[str, Any] = {
        "documents": int(statistics.get("documents", 0)),
        "alpha_u": alpha_u,
        "alpha_u_by_label": alpha_u_by_label,
    }
    result.update(u_alpha_metrics(statistics.get("u_alpha", {})))
    result["char_alpha"] = binary_alpha(
        *(sum(row.get(key, 0.0) for row in char.values()) for key in ("o00", "o01", "o11"))
    )
    result["char_alpha_by_label"] = {
        label: binary_alpha(row.get("o00", 0.0), row.get("o01", 0.0), row.get("o11", 0.0))
        for label, row in sorted(char.items())
    }
    all_labels: dict[str, Any] = {}
    all_relations: dict[str, Any] = {}
    all_attributes: dict[str, Any] = {}
    pairs: dict[str, Any] = {}
    for key, pair in sorted(statistics.get("pairs", {}).items()):
        _merge(all_labels, pair.get("labels", {}))
        _merge(all_relations, pair.get("relations", {}))
        _merge(all_attributes, pair.get("attributes", {}))
        pairs[key] = _pair_metrics(pair)
    result.update(_span_f1(all_labels))
    result.update(_relations_f1(all_relations))
    result["attributes"] = {
        name: _attribute_alpha(table) for name, table in sorted(all_attributes.items())
    }
    result["pairs"] = pairs
    return result

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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, islice
from operator import attrgetter
from typing import Any, NamedTuple

import numpy as np

from .coding import alpha_from_coincidences, cohen_kappa_from_table, scott_pi_from_table
from .layers import LayerBatch, stable_order
from .spans import (
    attribute_tables,
    binary_alpha,
    char_coincidences,
    exact_match_counts_batch,
    overlap_matches_batch,
    pair_char_coincidences,
    relation_counts,
    table_to_matrix,
)
from .types import MOST_LABELS, DocumentInput, RelationUnit, SpanUnit
from .unitizing import (
    alpha_u_metrics,
    alpha_u_statistics,
    u_alpha_metrics,
    u_alpha_statistics,
)

#: Bumped whenever the layout of the statistics changes, so stored rows can be recomputed.
STATISTICS_VERSION = 1
PAIR_SEPARATOR = "|"


def _label_counts(
    own: Sequence[tuple[str, int]],
    spans_a: Sequence[int],
    spans_b: Sequence[int],
    exact: Sequence[int],
    overlap: Sequence[int],
) -> dict[str, dict[str, int]]:
    """Per label of the document (``own``: names and label indexes, sorted by name) that
    either annotator used: each annotator's spans, exact matches (same start, end and
    label, one to one) and overlap matches; the counts are indexed by label index."""
    return {
        label: {
            "n_a": spans_a[index],
            "n_b": spans_b[index],
            "exact": exact[index],
            "overlap": overlap[index],
        }
        for label, index in own
        if spans_a[index] or spans_b[index]
    }


#: Documents computed together: enough for numpy to pay off, few enough that the
#: [document, span, span] arrays of a batch stay small.
BATCH_DOCUMENTS = 128
#: At most this many cells in a batch's [document, span, span] arrays, whose spans are
#: padded to the batch's longest layer: one document with hundreds of spans among short
#: ones would otherwise make every one of them that wide (gigabytes for a batch).
BATCH_CELLS = 1 << 20


def document_statistics(doc: DocumentInput) -> dict[str, Any]:
    """Sufficient statistics of every metric for one document (see the module docstring)."""
    return documents_statistics([doc])[0]


def documents_statistics(docs: Sequence[DocumentInput]) -> list[dict[str, Any]]:
    """:func:`document_statistics` of each document, computed a batch at a time."""
    prepared = [_prepare(doc) for doc in docs]
    result: list[dict[str, Any]] = [{"version": STATISTICS_VERSION, "documents": 0} for _ in docs]
    for batch in _batches(prepared):
        computed = _batch_statistics([item for _, item in batch])
        for (index, _), statistics in zip(batch, computed, strict=True):
            result[index] = statistics
    return result


def _batches(prepared: Sequence[_Prepared | None]) -> Iterator[list[tuple[int, _Prepared]]]:
    """The documents to compute, with their positions, in batches of documents with the
    same number of annotators, at most BATCH_DOCUMENTS documents, MOST_LABELS labels
    and BATCH_CELLS padded cells between them (a document alone is a batch, whatever
    its size).

    Every pair loop of a batch runs over the pairs of its most annotators, and each
    pass works through arrays of the whole batch: a document of 40 annotators among
    short ones of 3 would make all of them pay for its 780 pairs.
    """
    open_batches: dict[int, _Batch] = {}
    for index, item in enumerate(prepared):
        if item is None:
            continue
        batch = open_batches.setdefault(len(item.annotators), _Batch())
        if not batch.takes(item):
            yield batch.items
            batch = open_batches[len(item.annotators)] = _Batch()
        batch.add(index, item)
    for batch in open_batches.values():
        yield batch.items


@dataclass
class _Batch:
    items: list[tuple[int, _Prepared]] = field(default_factory=list)
    labels: set[str] = field(default_factory=set)
    widest: int = 0

    def takes(self, item: _Prepared) -> bool:
        return not self.items or (
            len(self.items) < BATCH_DOCUMENTS
            and (len(self.items) + 1) * max(self.widest, item.widest) ** 2 <= BATCH_CELLS
            and len(self.labels | set(item.labels)) <= MOST_LABELS
        )

    def add(self, index: int, item: _Prepared) -> None:
        self.items.append((index, item))
        self.labels.update(item.labels)
        self.widest = max(self.widest, item.widest)


class _Prepared(NamedTuple):
    doc: DocumentInput
    annotators: list[str]
    relations: dict[str, list[RelationUnit]]
    labels: list[str]
    widest: int  #: the most spans one annotator has


_annotator = attrgetter("annotator")
_start = attrgetter("start")
_end = attrgetter("end")
_label = attrgetter("label")


def _prepare(doc: DocumentInput) -> _Prepared | None:
    annotators = sorted(set(doc.annotators))
    if len(annotators) < 2:
        return None
    known = set(annotators)
    layer_sizes = Counter(map(_annotator, doc.spans))
    if not known.issuperset(layer_sizes):
        span = next(span for span in doc.spans if span.annotator not in known)
        raise ValueError(f"span by {span.annotator!r}, who is not among the document's annotators")
    labels = sorted(set(map(_label, doc.spans)))
    if len(labels) > MOST_LABELS:
        raise ValueError(f"document {doc.id!r} has {len(labels)} labels; at most {MOST_LABELS}")
    relations: dict[str, list[RelationUnit]] = {name: [] for name in annotators}
    for relation in doc.relations:
        relations.setdefault(relation.annotator, []).append(relation)
    return _Prepared(doc, annotators, relations, labels, max(layer_sizes.values(), default=0))


def _layers(
    prepared: Sequence[_Prepared], position: Mapping[str, int]
) -> tuple[LayerBatch, list[list[SpanUnit]]]:
    """Every annotator's spans as one batch of units, each layer sorted by (start, end,
    label), and each layer's spans in the same order (layers numbered document by
    document, annotators by name)."""
    spans = [span for item in prepared for span in item.doc.spans]
    layer_of: list[int] = []
    first = 0
    for item in prepared:
        number = {name: first + index for index, name in enumerate(item.annotators)}
        layer_of.extend(map(number.__getitem__, map(_annotator, item.doc.spans)))
        first += len(item.annotators)
    owner = np.array(layer_of, dtype=np.int64)
    units = np.array(
        [
            np.fromiter(map(_start, spans), dtype=np.int64, count=len(spans)),
            np.fromiter(map(_end, spans), dtype=np.int64, count=len(spans)),
            np.fromiter(
                map(position.__getitem__, map(_label, spans)), dtype=np.int64, count=len(spans)
            ),
        ]
    )
    # The sort is stable: spans alike in layer, start, end and label keep their input order.
    order = stable_order(owner, units[0], units[1], units[2])
    raw = LayerBatch.from_arrays(
        [item.doc.length for item in prepared],
        [len(item.annotators) for item in prepared],
        owner[order],
        units[:, order],
        len(position),
    )
    in_order = iter([spans[index] for index in order.tolist()])
    sizes = np.bincount(owner, minlength=raw.layers).tolist()
    return raw, [list(islice(in_order, size)) for size in sizes]


def _batch_statistics(prepared: Sequence[_Prepared]) -> list[dict[str, Any]]:
    labels = sorted({label for item in prepared for label in item.labels})
    position = {label: index for index, label in enumerate(labels)}
    raw, ordered = _layers(prepared, position)
    merged = raw.merged()
    # Lengths in characters are whole numbers: as Python ints straight from numpy.
    alpha_u, shared_lengths = alpha_u_statistics(merged)
    shared = shared_lengths.astype(np.int64).tolist()
    char = char_coincidences(merged).tolist()
    u_alpha = u_alpha_statistics(raw, labels)
    covered = (
        np.bincount(
            merged.owner * len(labels) + merged.labels,
            weights=merged.ends - merged.starts,
            minlength=merged.layers * len(labels),
        )
        .reshape(merged.layers, len(labels))
        .astype(np.int64)
        .tolist()
    )
    spans_by_label = (
        np.bincount(raw.owner * len(labels) + raw.labels, minlength=raw.layers * len(labels))
        .reshape(raw.layers, len(labels))
        .tolist()
    )
    exact = exact_match_counts_batch(raw).tolist()
    matches = overlap_matches_batch(raw)
    result = []
    for doc, item in enumerate(prepared):
        coders, length, first = len(item.annotators), item.doc.length, int(raw.first_layer[doc])
        own = [(label, position[label]) for label in item.labels]
        pairs: dict[str, Any] = {}
        for pair, (i, j) in enumerate(combinations(range(coders), 2)):
            found = matches[doc][pair]
            spans_a, spans_b = ordered[first + i], ordered[first + j]
            name_a, name_b = item.annotators[i], item.annotators[j]
            overlap = [0] * len(labels)
            for row in found[0]:
                overlap[position[spans_a[row].label]] += 1
            pairs[PAIR_SEPARATOR.join((name_a, name_b))] = {
                "length": length,
                "labels": _label_counts(
                    own,
                    spans_by_label[first + i],
                    spans_by_label[first + j],
                    exact[doc][pair],
                    overlap,
                ),
                "layers": {
                    label: {
                        "inter": shared[doc][pair][index],
                        "len_a": covered[first + i][index],
                        "len_b": covered[first + j][index],
                    }
                    for label, index in own
                },
                "relations": relation_counts(
                    spans_a, spans_b, item.relations[name_a], item.relations[name_b], found
                ),
                "attributes": attribute_tables(spans_a, spans_b, found),
            }
        result.append(
            {
                "version": STATISTICS_VERSION,
                "documents": 1,
                "alpha_u": {
                    "norm": {
                        "pair_length": coders * (coders - 1) // 2 * length,
                        "rated_length": coders * length,
                        "length": length,
                    },
                    "labels": {labels[index]: value for index, value in alpha_u[doc].items()},
                },
                "u_alpha": u_alpha[doc],
                "char": {
                    label: {
                        "o00": char[doc][index][0],
                        "o01": char[doc][index][1],
                        "o11": char[doc][index][2],
                    }
                    for label, index in own
                },
                "pairs": pairs,
            }
        )
    return result


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
        [(s.start, s.end, position[s.label]) for s in doc.spans if s.annotator == name]
        for name in annotators
    ]
    rows = char_coincidences(LayerBatch.build([(layers, doc.length)], len(labels)).merged())[0]
    return {
        label: binary_alpha(float(row[0]), float(row[1]), float(row[2]))
        for label, row in zip(labels, rows, strict=True)
    }


def _merge(into: dict[str, Any], other: Mapping[str, Any], sign: int = 1) -> None:
    """Add ``sign`` × ``other`` into ``into``; numbers that reach 0 and empty dicts vanish.

    Statistics are sparse: a missing number means 0, so pruning keeps a project's
    statistics from accumulating labels or lengths that no document has any more.
    """
    # Statistics are plain dicts (they round-trip through JSON): `type(...) is dict` is
    # several times faster than an isinstance check against Mapping, on the hot path of
    # combining a thousand documents.
    for key, value in other.items():
        if type(value) is dict:
            branch = into.get(key)
            if branch is None:
                branch = into[key] = {}
            _merge(branch, value, sign)
            if not branch:
                del into[key]
        else:
            total = into.get(key, 0) + sign * value
            if total:
                into[key] = total
            else:
                into.pop(key, None)


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
    totals, exact, overlap = {}, {}, {}
    for label, c in label_counts.items():
        totals[label] = c.get("n_a", 0) + c.get("n_b", 0)
        exact[label] = c.get("exact", 0)
        overlap[label] = c.get("overlap", 0)
    overall_total = sum(totals.values())
    ordered = sorted(totals)
    return {
        "f1_exact": _f1(sum(exact.values()), overall_total),
        "f1_overlap": _f1(sum(overlap.values()), overall_total),
        "f1_exact_by_label": {label: _f1(exact[label], totals[label]) for label in ordered},
        "f1_overlap_by_label": {label: _f1(overlap[label], totals[label]) for label in ordered},
    }


def _relations_f1(by_type: Mapping[str, Mapping[str, int]]) -> dict[str, Any]:
    totals, matched = {}, {}
    for kind, c in by_type.items():
        totals[kind] = c.get("n_a", 0) + c.get("n_b", 0)
        matched[kind] = c.get("matched", 0)
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
    o00 = o01 = o11 = 0.0
    length = pair.get("length", 0)
    for c in pair.get("layers", {}).values():
        layer = pair_char_coincidences(
            c.get("inter", 0), c.get("len_a", 0), c.get("len_b", 0), length
        )
        o00, o01, o11 = o00 + layer[0], o01 + layer[1], o11 + layer[2]
    attributes = {
        name: {"cohen_kappa": cohen_kappa_from_table(table_to_matrix(table)[1])}
        for name, table in sorted(pair.get("attributes", {}).items())
    }
    return (
        _span_f1(pair.get("labels", {}))
        | {"char_alpha": binary_alpha(o00, o01, o11)}
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

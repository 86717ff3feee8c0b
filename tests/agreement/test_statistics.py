"""Sufficient statistics, their combination, and the properties every metric must have."""

import json
import random
import re
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations.agreement import (
    DocumentInput,
    RelationUnit,
    SpanUnit,
    combine_statistics,
    document_statistics,
    metrics_from_statistics,
    replace_document,
)
from annotations.agreement.layers import LayerBatch
from annotations.agreement.spans import (
    exact_match_counts,
    exact_match_counts_batch,
    overlap_matches,
)
from annotations.agreement.statistics import (
    BATCH_CELLS,
    _batches,
    _prepare,
    char_alpha_by_label,
    documents_statistics,
)
from annotations.agreement.synthetic import synthetic_document, synthetic_documents
from tests.agreement.memory import statistics_and_peak

PROPERTY = settings(
    deadline=None, derandomize=True, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
HEADLINE = ("alpha_u", "u_alpha", "abs_u_alpha", "cu_alpha", "char_alpha", "f1_exact", "f1_overlap")


@st.composite
def documents(draw, min_annotators=2, max_annotators=4):
    length = draw(st.integers(20, 200))
    names = [f"a{i}" for i in range(draw(st.integers(min_annotators, max_annotators)))]
    spans = []
    for name in names:
        for _ in range(draw(st.integers(0, 6))):
            start = draw(st.integers(0, length - 1))
            end = draw(st.integers(start + 1, min(length, start + 40)))
            spans.append(SpanUnit(name, start, end, draw(st.sampled_from("xyz"))))
    return DocumentInput("d", length, names, spans)


def _metrics(doc):
    return metrics_from_statistics(document_statistics(doc))


def _close(first, second):
    if first is None or second is None:
        return first is second
    return first == pytest.approx(second, abs=1e-9)


def _headline(metrics):
    return {key: metrics[key] for key in HEADLINE}


@PROPERTY
@given(documents())
def test_statistics_are_json_and_combine_to_themselves(doc):
    statistics = document_statistics(doc)
    assert json.loads(json.dumps(statistics)) == statistics
    assert _headline(metrics_from_statistics(combine_statistics([statistics]))) == _headline(
        metrics_from_statistics(statistics)
    )


@PROPERTY
@given(st.lists(documents(min_annotators=1, max_annotators=5), min_size=1, max_size=6))
def test_a_batch_of_documents_has_each_documents_own_statistics(docs):
    """Documents computed together (as the command and a full recompute do) get exactly
    the statistics each gets alone: nothing leaks between documents of a batch."""
    assert documents_statistics(docs) == [document_statistics(doc) for doc in docs]


def test_batches_split_where_their_labels_would_be_too_many_to_name():
    # 40 documents × 3 labels of their own: 120 labels in all, more than one batch holds.
    docs = [
        DocumentInput(
            f"d{n}",
            50,
            ["a", "b"],
            [SpanUnit(name, 3 * k, 3 * k + 5, f"label{n}-{k}") for name in "ab" for k in range(3)],
        )
        for n in range(40)
    ]
    together = documents_statistics(docs)
    assert together == [document_statistics(doc) for doc in docs]
    assert set(together[7]["char"]) == {"label7-0", "label7-1", "label7-2"}


def test_a_long_document_does_not_widen_the_batch_of_short_ones():
    """A batch pads every layer to its longest, so one document of 500 spans among 127
    short ones made 128 documents × 600 × 600 cells (800 MB); it now gets a batch of its
    own size, and every document the statistics it gets alone."""
    docs = synthetic_documents(127, seed=1)
    docs.insert(60, synthetic_document(random.Random(5), "long", spans=500, length=50_000))
    together, peak = statistics_and_peak(docs)
    assert peak < 100 * 2**20
    assert together == [document_statistics(doc) for doc in docs]
    batches = list(_batches([_prepare(doc) for doc in docs]))
    # The long document (502 spans by one annotator) shares its batch with 3 short ones.
    assert [len(batch) for batch in batches] == [60, 4, 64]
    for batch in batches:
        assert len(batch) * max(item.widest for _, item in batch) ** 2 <= BATCH_CELLS


def test_documents_of_a_batch_have_the_same_number_of_annotators():
    """Every pair loop of a batch runs over the pairs of its most annotators, so a
    document of 12 annotators (66 pairs) gets a batch of its own kind rather than
    making the documents of 3 around it pay for its pairs."""
    docs = synthetic_documents(200, seed=1)
    crowd = [f"a{n}" for n in range(12)]
    docs[5:5] = [
        synthetic_document(random.Random(n), f"crowd{n}", annotators=crowd) for n in range(2)
    ]
    batches = list(_batches([_prepare(doc) for doc in docs]))
    assert [[len(item.annotators) for _, item in batch] for batch in batches] == [
        [3] * 128,
        [3] * 72,
        [12, 12],
    ]
    assert sorted(index for batch in batches for index, _ in batch) == list(range(202))
    assert documents_statistics(docs) == [document_statistics(doc) for doc in docs]


@PROPERTY
@given(documents(min_annotators=1, max_annotators=1))
def test_perfect_agreement_is_one_wherever_defined(doc):
    copy = [SpanUnit("b", s.start, s.end, s.label) for s in doc.spans]
    both = DocumentInput("d", doc.length, ["a0", "b"], [*doc.spans, *copy])
    metrics = _metrics(both)
    for key in HEADLINE:
        assert metrics[key] is None or metrics[key] == pytest.approx(1.0), key
    if doc.spans:
        assert metrics["f1_exact"] == pytest.approx(1.0)
        assert metrics["f1_overlap"] == pytest.approx(1.0)
        assert metrics["char_alpha"] in (None, pytest.approx(1.0))


@PROPERTY
@given(documents(), st.permutations(["x", "y", "z"]))
def test_relabelling_categories_changes_nothing(doc, names):
    rename = dict(zip("xyz", names, strict=True))
    renamed = DocumentInput(
        "d",
        doc.length,
        doc.annotators,
        [SpanUnit(s.annotator, s.start, s.end, rename[s.label]) for s in doc.spans],
    )
    before, after = _metrics(doc), _metrics(renamed)
    for key in HEADLINE:
        assert _close(before[key], after[key]), key
    for key in ("alpha_u_by_label", "char_alpha_by_label", "f1_overlap_by_label"):
        for label, value in before[key].items():
            assert _close(value, after[key][rename[label]]), key


@PROPERTY
@given(documents(), st.randoms(use_true_random=False))
def test_annotator_order_and_names_change_nothing(doc, rng):
    names = list(doc.annotators)
    shuffled = names[:]
    rng.shuffle(shuffled)
    rename = {old: f"z{new}" for old, new in zip(names, shuffled, strict=True)}
    spans = [SpanUnit(rename[s.annotator], s.start, s.end, s.label) for s in doc.spans]
    rng.shuffle(spans)
    renamed = DocumentInput("d", doc.length, [rename[n] for n in reversed(names)], spans)
    before, after = _metrics(doc), _metrics(renamed)
    for key in HEADLINE:
        assert _close(before[key], after[key]), key


def test_independent_annotators_agree_near_zero():
    """Spans placed independently at random. αU's chance model places units only in
    gaps, without overlap, while random spans of one annotator may overlap (and are
    merged), so αU sits slightly below zero here; the coincidence-based coefficients
    are centred on zero."""
    docs = synthetic_documents(300, seed=7, noise=1.0, spans=10, length=1000)
    metrics = metrics_from_statistics(combine_statistics(document_statistics(d) for d in docs))
    assert abs(metrics["alpha_u"]) < 0.1
    for key in ("u_alpha", "abs_u_alpha", "cu_alpha", "char_alpha"):
        assert abs(metrics[key]) < 0.05, (key, metrics[key])
    assert abs(metrics["attributes"]["checkworthy"]["alpha"]) < 0.05


def test_combining_documents_equals_their_concatenation_for_coincidence_metrics():
    """uα, its family and character-level alpha rest on coincidence matrices, which add
    up over documents: combining two documents' statistics must give exactly what one
    document made of both gives (αU differs by design: its gaps stop at a document end)."""
    first, second = synthetic_documents(2, seed=3, length=400, spans=8)
    shift = first.length
    joined = DocumentInput(
        "j",
        first.length + second.length,
        first.annotators,
        [*first.spans]
        + [
            SpanUnit(s.annotator, s.start + shift, s.end + shift, s.label, s.attributes, "2" + s.id)
            for s in second.spans
        ],
    )
    combined = metrics_from_statistics(
        combine_statistics([document_statistics(first), document_statistics(second)])
    )
    alone = _metrics(joined)
    for key in ("u_alpha", "abs_u_alpha", "cu_alpha", "char_alpha", "f1_exact", "f1_overlap"):
        assert _close(combined[key], alone[key]), key
    for label, value in alone["k_u_alpha_by_label"].items():
        assert _close(combined["k_u_alpha_by_label"][label], value)


def test_replacing_one_document_in_a_total_equals_recombining_everything():
    """The project total is kept up to date by subtracting a document's old statistics
    and adding its new ones; that must equal summing every document afresh, and a
    document removed entirely must leave no trace (no stray labels or zero entries)."""
    docs = synthetic_documents(6, seed=11, length=600, spans=10)
    stats = [document_statistics(d) for d in docs]
    replacement = document_statistics(synthetic_documents(1, seed=12, length=600, spans=10)[0])
    total = combine_statistics(stats)
    updated = combine_statistics([total, replacement], subtract=[stats[2]])
    in_place = replace_document(combine_statistics(stats), stats[2], replacement)
    fresh = combine_statistics([*stats[:2], replacement, *stats[3:]])
    for key, value in _headline(metrics_from_statistics(fresh)).items():
        assert _close(metrics_from_statistics(updated)[key], value), key
        assert _close(metrics_from_statistics(in_place)[key], value), key
    assert in_place == updated
    assert combine_statistics([total], subtract=stats) == {"version": 1}


def test_combination_does_not_depend_on_order():
    stats = [document_statistics(d) for d in synthetic_documents(20, seed=5, length=500)]
    forward = metrics_from_statistics(combine_statistics(stats))
    backward = metrics_from_statistics(combine_statistics(reversed(stats)))
    for key in HEADLINE:
        assert _close(forward[key], backward[key]), key


@pytest.mark.parametrize("seed", range(3))
def test_char_alpha_matches_the_krippendorff_package_document_by_document(seed):
    """Cross-check: each character coded 1 (label) or 0 (none) by each annotator, as a
    coders × characters matrix for the `krippendorff` package."""
    doc = synthetic_documents(1, seed=seed, length=800, spans=12)[0]
    metrics = _metrics(doc)
    assert char_alpha_by_label(doc) == metrics["char_alpha_by_label"]
    names = sorted(doc.annotators)
    for label, ours in metrics["char_alpha_by_label"].items():
        matrix = np.zeros((len(names), doc.length))
        for span in doc.spans:
            if span.label == label:
                matrix[names.index(span.annotator), span.start : span.end] = 1
        theirs = krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
        assert ours == pytest.approx(theirs, abs=1e-9)


def test_no_spans_at_all_is_undefined_never_one():
    metrics = _metrics(DocumentInput("d", 100, ["a", "b"], []))
    for key in HEADLINE:
        assert metrics[key] is None, key
    assert metrics["documents"] == 1


def test_one_annotator_has_nothing_to_compare():
    doc = DocumentInput("d", 10, ["a"], [SpanUnit("a", 0, 5, "x")])
    statistics = document_statistics(doc)
    assert statistics["documents"] == 0
    assert metrics_from_statistics(statistics)["u_alpha"] is None


def test_combining_rejects_another_statistics_version():
    with pytest.raises(ValueError, match="statistics version 0 is not 1"):
        combine_statistics([{"version": 0, "documents": 1}])


def test_overlap_match_is_one_to_one_by_largest_overlap():
    first = [SpanUnit("a", 0, 10, "x"), SpanUnit("a", 12, 20, "x")]
    second = [SpanUnit("b", 5, 15, "x"), SpanUnit("b", 0, 9, "y")]
    # b's x span overlaps a's first by 5 and a's second by 3: it goes to the first only;
    # b's y span overlaps a's first but with another label, so it matches nothing.
    assert overlap_matches(first, second) == [(0, 0)]


def test_f1_counts_exact_and_overlap_matches_per_label_and_pair():
    doc = DocumentInput(
        "d",
        50,
        ["a", "b"],
        [
            SpanUnit("a", 0, 10, "claim"),
            SpanUnit("a", 20, 30, "denial"),
            SpanUnit("b", 0, 10, "claim"),
            SpanUnit("b", 22, 30, "denial"),
            SpanUnit("b", 40, 45, "denial"),
        ],
    )
    metrics = _metrics(doc)
    assert metrics["f1_exact"] == pytest.approx(2 * 1 / 5)
    assert metrics["f1_overlap"] == pytest.approx(2 * 2 / 5)
    assert metrics["f1_exact_by_label"] == {"claim": 1.0, "denial": 0.0}
    assert metrics["f1_overlap_by_label"]["denial"] == pytest.approx(2 * 1 / 3)
    assert metrics["pairs"]["a|b"]["f1_overlap"] == pytest.approx(0.8)


def test_relation_agrees_only_when_both_endpoints_match_and_types_agree():
    spans = [
        SpanUnit("a", 0, 10, "denial", id="a1"),
        SpanUnit("a", 20, 30, "attribution", id="a2"),
        SpanUnit("a", 40, 50, "claim", id="a3"),
        SpanUnit("b", 1, 10, "denial", id="b1"),
        SpanUnit("b", 21, 30, "attribution", id="b2"),
    ]
    relations = [
        RelationUnit("a", "attributed_to", "a1", "a2"),
        RelationUnit("a", "denies", "a1", "a3"),
        RelationUnit("b", "attributed_to", "b1", "b2"),
    ]
    metrics = _metrics(DocumentInput("d", 60, ["a", "b"], spans, relations))
    assert metrics["relations_f1"] == pytest.approx(2 * 1 / 3)
    assert metrics["relations_f1_by_type"] == {"attributed_to": 1.0, "denies": 0.0}


def test_attribute_agreement_over_matched_spans():
    rng = random.Random(1)
    spans = []
    for index in range(40):
        value = rng.choice(["yes", "no"])
        other = value if index % 4 else ("no" if value == "yes" else "yes")
        spans.append(SpanUnit("a", index * 10, index * 10 + 5, "claim", {"checkworthy": value}))
        spans.append(SpanUnit("b", index * 10, index * 10 + 5, "claim", {"checkworthy": other}))
    metrics = _metrics(DocumentInput("d", 400, ["a", "b"], spans))
    pairs = [
        (s.attributes["checkworthy"], t.attributes["checkworthy"])
        for s, t in zip(spans[::2], spans[1::2], strict=True)
    ]
    expected_alpha = krippendorff.alpha(
        reliability_data=[
            [float(p[0] == "yes") for p in pairs],
            [float(p[1] == "yes") for p in pairs],
        ],
        level_of_measurement="nominal",
    )
    assert metrics["attributes"]["checkworthy"]["alpha"] == pytest.approx(expected_alpha)
    assert metrics["attributes"]["checkworthy"]["pairs"] == 40
    assert metrics["pairs"]["a|b"]["attributes"]["checkworthy"]["cohen_kappa"] is not None


def test_attribute_tables_follow_the_first_annotators_attribute_order() -> None:
    """The statistics are the same dict, key order included, in every process (the
    order of a set of names would depend on the process's string hashing)."""
    attributes = {"zeta": 1, "alpha": True, "mid": "x", "gone": None}
    spans = [
        SpanUnit("a", 0, 10, "claim", attributes, "a1"),
        SpanUnit("b", 0, 10, "claim", {"mid": "y", "gone": 2, "alpha": True, "zeta": 1}, "b1"),
    ]
    statistics = document_statistics(DocumentInput("d", 20, ["a", "b"], spans))
    tables = statistics["pairs"]["a|b"]["attributes"]
    assert list(tables) == ["zeta", "alpha", "mid"]
    assert tables == {
        "zeta": {"1": {"1": 1}},
        "alpha": {"true": {"true": 1}},
        "mid": {"x": {"y": 1}},
    }


def test_merged_layers_join_overlapping_units_of_one_label_only() -> None:
    layers = [
        [(10, 20, 0), (0, 5, 1), (15, 30, 0), (30, 40, 0), (2, 8, 1), (12, 14, 0)],
        [(0, 5, 0), (0, 5, 0)],
    ]
    merged = LayerBatch.build([(layers, 50)], 2).merged()
    units = list(
        zip(
            merged.owner.tolist(),
            merged.starts.tolist(),
            merged.ends.tolist(),
            merged.labels.tolist(),
            strict=True,
        )
    )
    # Overlapping units of a label become their union, adjacent ones ([15, 30) and
    # [30, 40)) stay apart, and units of different labels or layers are never joined.
    assert units == [(0, 10, 30, 0), (0, 30, 40, 0), (0, 0, 8, 1), (1, 0, 5, 0)]


@PROPERTY
@given(st.lists(documents(min_annotators=2, max_annotators=5), min_size=1, max_size=4))
def test_exact_matches_of_a_batch_are_those_of_each_pair(docs):
    labels = sorted({span.label for doc in docs for span in doc.spans})
    position = {label: index for index, label in enumerate(labels)}
    layers = [
        [[s for s in doc.spans if s.annotator == name] for name in doc.annotators] for doc in docs
    ]
    batch = LayerBatch.build(
        [
            ([[(s.start, s.end, position[s.label]) for s in layer] for layer in own], doc.length)
            for own, doc in zip(layers, docs, strict=True)
        ],
        len(labels),
    )
    counts = exact_match_counts_batch(batch)
    for doc, own in enumerate(layers):
        for pair, (first, second) in enumerate(combinations(own, 2)):
            expected = exact_match_counts(first, second)
            assert counts[doc, pair].tolist() == [expected[label] for label in labels]


def test_a_span_by_someone_outside_the_documents_annotators_is_refused() -> None:
    spans = [SpanUnit("a", 0, 5, "x"), SpanUnit("zed", 1, 4, "x"), SpanUnit("yan", 0, 2, "x")]
    message = "span by 'zed', who is not among the document's annotators"
    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        document_statistics(DocumentInput("d", 10, ["a", "b"], spans))
    assert str(refused.value) == message


def test_a_document_with_more_labels_than_a_stretch_can_name_is_refused() -> None:
    spans = [SpanUnit("a", 0, 1, f"label{n}") for n in range(63)]
    message = "document 'd' has 63 labels; at most 62"
    with pytest.raises(ValueError, match=re.escape(message)) as refused:
        document_statistics(DocumentInput("d", 10, ["a", "b"], spans))
    assert str(refused.value) == message


def _greedy_reference(first, second):
    """The matching rule of overlap_matches, written out candidate by candidate."""
    candidates = []
    for row, s in enumerate(first):
        for col, t in enumerate(second):
            overlap = min(s.end, t.end) - max(s.start, t.start)
            if s.label == t.label and overlap > 0:
                lengths = (s.end - s.start, t.end - t.start)
                candidates.append((-overlap, s.start, t.start, *lengths, row, col))
    candidates.sort()
    taken_rows, taken_cols, found = set(), set(), []
    for *_, row, col in candidates:
        if row not in taken_rows and col not in taken_cols:
            taken_rows.add(row)
            taken_cols.add(col)
            found.append((row, col))
    return found


@PROPERTY
@given(documents(min_annotators=2, max_annotators=2))
def test_overlap_matches_take_candidates_greedily_by_largest_overlap(doc):
    first = [s for s in doc.spans if s.annotator == "a0"]
    second = [s for s in doc.spans if s.annotator == "a1"]
    assert overlap_matches(first, second) == _greedy_reference(first, second)

"""Krippendorff's αU (1995/2004) and the uα family (2016): published and hand-derived values."""

import random
from itertools import combinations

import krippendorff
import numpy as np
import pytest

from annotations.agreement import (
    DocumentInput,
    SpanUnit,
    combine_statistics,
    document_statistics,
    metrics_from_statistics,
)
from annotations.agreement.layers import LayerBatch, stable_order, unique
from annotations.agreement.unitizing import (
    _expected_in_floats,
    _expected_in_integers,
    alpha_u_disagreements,
    alpha_u_statistics,
)
from tests.agreement.memory import statistics_and_peak


def _document(units, length, begin=0, annotators=("0", "1")):
    """Units given as DKPro does: (offset, length, rater, category), continuum from ``begin``."""
    spans = [SpanUnit(str(rater), o - begin, o - begin + n, c) for o, n, rater, c in units]
    return DocumentInput("d", length, list(annotators), spans)


def _disagreements(statistics, label):
    norm = statistics["alpha_u"]["norm"]
    return alpha_u_disagreements(
        statistics["alpha_u"]["labels"][label],
        norm["pair_length"],
        norm["rated_length"],
        norm["length"],
    )


# Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology, 2nd ed.,
# Sage, p. 254: two observers unitize a continuum of 300 (from 150) with categories c and
# k. Published: αU = .8591 overall, c: D_o = .0144, D_e = .0532, α = .7286; k: D_o = 0,
# D_e = .0490, α = 1. Units and expected values as in DKPro Statistics'
# unitizing/Krippendorff2004Test.
KRIPPENDORFF_2004 = [
    (225, 70, 0, "c"), (370, 30, 0, "c"), (220, 80, 1, "c"), (355, 20, 1, "c"), (400, 20, 1, "c"),
    (180, 60, 0, "k"), (300, 50, 0, "k"), (180, 60, 1, "k"), (300, 50, 1, "k"),
]  # fmt: skip


def test_krippendorff_2004_unitizing_example():
    statistics = document_statistics(_document(KRIPPENDORFF_2004, 300, begin=150))
    metrics = metrics_from_statistics(statistics)
    assert metrics["alpha_u"] == pytest.approx(0.8591, abs=0.0005)
    observed, expected = _disagreements(statistics, "c")
    assert observed == pytest.approx(0.0144, abs=0.0001)
    assert expected == pytest.approx(0.0532, abs=0.0001)
    assert metrics["alpha_u_by_label"]["c"] == pytest.approx(0.7286, abs=0.0001)
    observed, expected = _disagreements(statistics, "k")
    assert observed == 0
    assert expected == pytest.approx(0.0490, abs=0.0001)
    assert metrics["alpha_u_by_label"]["k"] == pytest.approx(1.0)


def _krippendorff_1995(stretch):
    """Krippendorff (1995), Sociological Methodology 25:47–76, p. 57: four pairs of
    observers (A–D) on a continuum of 24, each pair read here as one category; the
    data can be stretched to approach the paper's continuous model."""
    units = [
        (2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
        (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"),
        (5, 1, 1, "B"), (6, 3, 1, "B"), (9, 1, 1, "B"),
        (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"),
        (4, 4, 1, "C"), (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
        (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"),
        (0, 4, 1, "D"), (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D"),
    ]  # fmt: skip
    scaled = [(int(o * stretch), int(n * stretch), r, c) for o, n, r, c in units]
    return _document(scaled, int(24 * stretch))


@pytest.mark.parametrize(
    ("category", "observed", "expected", "alpha"),
    [
        ("A", 0.03125, 0.06990, 0.553),
        ("B", 2.26736, 1.17731, -0.926),
        ("C", 0.02777, 0.08642, 0.679),
        ("D", 0.38715, 0.41445, 0.066),
    ],
)
def test_krippendorff_1995_unitizing_example(category, observed, expected, alpha):
    """Published D_o (exact at the original scale) and, for the stretched continuum,
    D_e and α within the tolerances DKPro Statistics' Krippendorff1995Test uses (the
    paper's D_e has a small known error, see that test's comment)."""
    exact = document_statistics(_krippendorff_1995(1))
    assert _disagreements(exact, category)[0] == pytest.approx(observed, abs=0.00001)
    stretched = document_statistics(_krippendorff_1995(1_200_000 / 24))
    assert _disagreements(stretched, category)[1] == pytest.approx(expected, abs=0.005)
    assert metrics_from_statistics(stretched)["alpha_u_by_label"][category] == pytest.approx(
        alpha, abs=0.02
    )


def test_u_alpha_family_hand_derived_one_label():
    """Krippendorff, Mathet, Bouvry & Widlöcher (2016), eqs. 1, 4, 5, 6, worked by hand:
    L = 4, coder A marks x on [0, 2), coder B on [1, 3). Coincidences o_xx = o_x∅ = o_∅x =
    o_∅∅ = 2, n = 8; Σ sq: A's unit 2² and gap 2, B's gaps 1 + 1 and unit 2², so sq_x = 8,
    sq_∅ = 4. e_xx = 8(16 − 8)/52, e_∅∅ = 8(16 − 4)/52; uα = 1 − 4/(8 − 160/52) = 0.1875.
    |uα uses e_∅x = 8·16/52 against o_∅x = 2: also 0.1875. One value only: cuα undefined."""
    doc = DocumentInput("d", 4, ["a", "b"], [SpanUnit("a", 0, 2, "x"), SpanUnit("b", 1, 3, "x")])
    metrics = metrics_from_statistics(document_statistics(doc))
    assert metrics["u_alpha"] == pytest.approx(0.1875)
    assert metrics["abs_u_alpha"] == pytest.approx(0.1875)
    assert metrics["cu_alpha"] is None


def test_u_alpha_family_hand_derived_two_labels():
    """Same paper, eqs. 10, 11, 13, worked by hand: L = 4, A marks x [0, 2) and y [2, 4),
    B marks x [0, 3) and y [3, 4). o_xx = 4, o_xy = o_yx = 1, o_yy = 2, no gaps, n' = 8.
    Intersections squared: A's x 2², A's y 2², B's x 3², B's y 1², so cu_sq_x = 13,
    cu_sq_y = 5 and the denominator is 8 − 18/8 = 5.75. e'_xx = 12/5.75, e'_yy = 4/5.75:
    cuα = 1 − 2/(8 − 16/5.75) = 74/120. (x)uα = 1 − (27/5)(1/15) = 0.64;
    (y)uα = 1 − (19/3)(1/15) = 26/45. Without gaps uα equals cuα."""
    doc = DocumentInput(
        "d",
        4,
        ["a", "b"],
        [
            SpanUnit("a", 0, 2, "x"),
            SpanUnit("a", 2, 4, "y"),
            SpanUnit("b", 0, 3, "x"),
            SpanUnit("b", 3, 4, "y"),
        ],
    )
    metrics = metrics_from_statistics(document_statistics(doc))
    assert metrics["cu_alpha"] == pytest.approx(74 / 120)
    assert metrics["u_alpha"] == pytest.approx(74 / 120)
    assert metrics["k_u_alpha_by_label"]["x"] == pytest.approx(0.64)
    assert metrics["k_u_alpha_by_label"]["y"] == pytest.approx(26 / 45)
    assert metrics["abs_u_alpha"] is None


@pytest.mark.parametrize("seed", range(5))
def test_u_alpha_of_one_character_units_is_nominal_alpha_of_the_characters(seed):
    """When every unit is one character long, eq. 4 reduces to the coincidence-matrix
    alpha of the characters (gaps count l, units l² = l), so uα must equal Krippendorff's
    nominal alpha over characters coded with their label or "gap", as the `krippendorff`
    package computes it, whatever the number of coders."""
    rng = np.random.default_rng(seed)
    coders, length = 3, 60
    codes = rng.integers(0, 3, size=(coders, length))
    spans = [
        SpanUnit(f"c{c}", p, p + 1, "xy"[codes[c, p] - 1])
        for c in range(coders)
        for p in range(length)
        if codes[c, p]
    ]
    doc = DocumentInput("d", length, [f"c{c}" for c in range(coders)], spans)
    ours = metrics_from_statistics(document_statistics(doc))["u_alpha"]
    theirs = krippendorff.alpha(reliability_data=codes, level_of_measurement="nominal")
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_alpha_u_of_documents_is_alpha_u_of_their_concatenation_when_no_gap_spans_the_join():
    """The project continuum is the documents side by side. When every annotator's units
    of each label touch both ends of every document, no gap crosses the join, so the
    combined statistics must give exactly the αU of one document made of both."""
    first = [(0, 3, 0, "x"), (10, 10, 0, "x"), (0, 5, 1, "x"), (12, 8, 1, "x")]
    second = [(0, 6, 0, "x"), (25, 5, 0, "x"), (0, 4, 1, "x"), (20, 10, 1, "x")]
    joined = first + [(o + 20, n, r, c) for o, n, r, c in second]
    combined = combine_statistics(
        [document_statistics(_document(first, 20)), document_statistics(_document(second, 30))]
    )
    alone = document_statistics(_document(joined, 50))
    assert metrics_from_statistics(combined)["alpha_u"] == pytest.approx(
        metrics_from_statistics(alone)["alpha_u"]
    )


def test_unique_is_numpys_unique() -> None:
    rng = np.random.default_rng(7)
    for size in (0, 1, 2, 50, 5000):
        values = rng.integers(-20, 300, size)
        assert unique(values).tolist() == np.unique(values).tolist()


@pytest.mark.parametrize("high", [5, 1 << 40])
def test_stable_order_is_lexsort_with_the_first_key_first(high: int) -> None:
    # 2⁴⁰ makes the keys' ranges too wide to fold into one integer: lexsort itself runs.
    rng = np.random.default_rng(3)
    keys = [rng.integers(-3, high, 400) for _ in range(4)]
    assert stable_order(*keys).tolist() == np.lexsort(keys[::-1]).tolist()
    assert stable_order(np.zeros(0, dtype=np.int64)).tolist() == []


@pytest.mark.parametrize("seed", range(10))
def test_expected_disagreement_in_integers_is_the_float_computation_bit_for_bit(seed: int) -> None:
    """Wherever the integer computation answers, its value is the very double numpy's
    float computation gives, histograms in any key order and sums up to just under 2⁵³."""
    rng = random.Random(seed)
    answered = 0
    for _ in range(300):
        longest = rng.choice([3, 80, 3000, 200_000])
        units = {str(rng.randint(1, longest)): rng.randint(1, 10**4) for _ in range(20)}
        gaps = {str(rng.randint(1, 10**6)): rng.randint(1, 10**3) for _ in range(20)}
        label = {"units": dict(reversed(units.items())), "gaps": gaps}
        rated = rng.choice([10**5, 10**8, 10**12])
        exact = _expected_in_integers(label, rated, 5000)
        if exact is not None:
            answered += 1
            assert exact.hex() == _expected_in_floats(label, rated, 5000).hex()
    assert answered > 50


@pytest.mark.parametrize(
    "label",
    [
        {"units": {"10": 2.0}, "gaps": {"5": 1}},  # a count that is not an integer
        {"units": {"10": 2}, "gaps": {"5": -1}},  # a negative count (a bad subtraction)
        {"units": {"250000": 1000}, "gaps": {"5": 1}},  # sums beyond 2⁵³
    ],
)
def test_expected_disagreement_falls_back_to_floats_where_integers_could_differ(
    label: dict[str, dict[str, float]],
) -> None:
    assert _expected_in_integers(label, 10**9, 5000) is None
    assert alpha_u_disagreements(label, 1, 10**9, 5000)[1] == _expected_in_floats(
        label, 10**9, 5000
    )


def _disjoint_units(rng: random.Random, length: int, labels: int) -> list[tuple[int, int, int]]:
    """Random units of one layer: each label's units disjoint, sorted by (label, start)."""
    units = []
    for label in range(labels):
        cuts = sorted(rng.sample(range(length + 1), 2 * rng.randint(0, min(4, length // 2))))
        units += [(s, e, label) for s, e in zip(cuts[::2], cuts[1::2], strict=True) if s < e]
    return units


@pytest.mark.parametrize("seed", range(20))
def test_alpha_u_observed_and_shared_lengths_are_the_pairwise_sums(seed: int) -> None:
    """δ² and shared lengths summed pair of units by pair of units, as the definition
    reads, against the batch computation."""
    rng = random.Random(seed)
    documents = []
    for _ in range(rng.randint(1, 4)):
        length = rng.randint(1, 60)
        layers = [_disjoint_units(rng, length, 3) for _ in range(rng.randint(2, 4))]
        documents.append((layers, length))
    per_document, shared = alpha_u_statistics(LayerBatch.build(documents, 3))
    for doc, (layers, _) in enumerate(documents):
        observed = [0] * 3
        for pair, (first, second) in enumerate(combinations(layers, 2)):
            inter = [0] * 3
            for own, other in ((first, second), (second, first)):
                for s, e, label in own:
                    met = [
                        (t, f)
                        for t, f, other_label in other
                        if other_label == label and s < f and t < e
                    ]
                    if not met:
                        observed[label] += (e - s) ** 2
                    elif own is first:
                        observed[label] += sum((s - t) ** 2 + (e - f) ** 2 for t, f in met)
                        inter[label] += sum(min(e, f) - max(s, t) for t, f in met)
            assert shared[doc, pair].tolist() == inter
        expected = {label: value for label, value in enumerate(observed) if value}
        assert {k: v["observed"] for k, v in per_document[doc].items() if v["observed"]} == expected


def test_u_alpha_sums_take_each_documents_own_values_not_the_whole_batchs() -> None:
    """Spans of many labels overlapping make hundreds of distinct values (label sets)
    per document and thousands in a batch: [document, value, value] sums over the
    batch's values took 770 MB here (174 GiB, a MemoryError, for 128 such documents)."""
    rng = random.Random(7)
    docs = []
    for n in range(16):
        labels = rng.sample([f"l{i}" for i in range(60)], 8)
        spans = [
            SpanUnit(name, start, start + rng.randint(1, 150), rng.choice(labels))
            for name in "abc"
            for start in [rng.randint(0, 850) for _ in range(30)]
        ]
        docs.append(DocumentInput(f"d{n}", 1000, ["a", "b", "c"], spans))
    together, peak = statistics_and_peak(docs)
    assert peak < 50 * 2**20
    assert together == [document_statistics(doc) for doc in docs]
    assert sum(len(statistics["u_alpha"]["sq"]) for statistics in together) > 16 * 50

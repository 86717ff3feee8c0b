"""Coded-data coefficients against published worked examples."""

import krippendorff
import numpy as np
import pytest

from annotations.agreement.coding import (
    cohen_kappa,
    cohen_kappa_from_table,
    fleiss_kappa,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
)

# Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability. Annenberg School
# for Communication, University of Pennsylvania, section E: 4 observers × 12 units with
# missing values. Published results: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_worked_example(level, published):
    assert krippendorff_alpha(KRIPPENDORFF_2011, level) == pytest.approx(published, abs=0.0005)


def _fleiss_1971():
    """Fleiss, J. L. (1971). Measuring nominal scale agreement among many raters.
    Psychological Bulletin 76(5):378–382, table 1 (p. 379): 30 patients, 6 psychiatrists,
    5 diagnoses. Published: P̄ = .556, P_e = .220, κ = .430. Rows as in DKPro
    Statistics' Fleiss1971Test (one row per patient), transposed to coders × units."""
    patients = [
        (4, 4, 4, 4, 4, 4), (2, 2, 2, 5, 5, 5), (2, 3, 3, 3, 3, 5), (5, 5, 5, 5, 5, 5),
        (2, 2, 2, 4, 4, 4), (1, 1, 3, 3, 3, 3), (3, 3, 3, 3, 5, 5), (1, 1, 3, 3, 3, 4),
        (1, 1, 4, 4, 4, 4), (5, 5, 5, 5, 5, 5), (1, 4, 4, 4, 4, 4), (1, 2, 4, 4, 4, 4),
        (2, 2, 2, 3, 3, 3), (1, 4, 4, 4, 4, 4), (2, 2, 4, 4, 4, 5), (3, 3, 3, 3, 3, 5),
        (1, 1, 1, 4, 5, 5), (1, 1, 1, 1, 1, 2), (2, 2, 4, 4, 4, 4), (1, 3, 3, 5, 5, 5),
        (5, 5, 5, 5, 5, 5), (2, 4, 4, 4, 4, 4), (2, 2, 4, 5, 5, 5), (1, 1, 4, 4, 4, 4),
        (1, 4, 4, 4, 4, 5), (2, 2, 2, 2, 2, 4), (1, 1, 1, 1, 5, 5), (2, 2, 4, 4, 4, 4),
        (1, 3, 3, 3, 3, 3), (5, 5, 5, 5, 5, 5),
    ]  # fmt: skip
    return [list(coder) for coder in zip(*patients, strict=True)]


def test_fleiss_1971_worked_example():
    data = _fleiss_1971()
    assert fleiss_kappa(data) == pytest.approx(0.430, abs=0.0005)
    assert percent_agreement(data) == pytest.approx(0.556, abs=0.0005)


def _expand(table):
    first, second = [], []
    for (a, b), count in table.items():
        first += [a] * count
        second += [b] * count
    return first, second


def test_cohen_1960_worked_example():
    """Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and
    Psychological Measurement 20(1):37–46, p. 45: 200 cases, p_o = .70, p_c = .41,
    κ = .492. Cell counts as in DKPro Statistics' Cohen1960Test."""
    table = {
        (1, 1): 88, (1, 2): 14, (1, 3): 18,
        (2, 1): 10, (2, 2): 40, (2, 3): 10,
        (3, 1): 2, (3, 2): 6, (3, 3): 12,
    }  # fmt: skip
    first, second = _expand(table)
    assert cohen_kappa(first, second) == pytest.approx(0.492, abs=0.0005)
    assert percent_agreement([first, second]) == pytest.approx(0.70)


def test_krippendorff_1995_digitized_example():
    """Krippendorff, K. (1995). On the reliability of unitizing continuous data.
    Sociological Methodology 25:47–76, p. 57, pair A (Bertha and Bill) read as 24
    binary units: published κ = .385, π = .314, α = .329 (as checked in DKPro
    Statistics' Krippendorff1995Test)."""
    bertha = [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]
    bill = [0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0]
    assert cohen_kappa(bertha, bill) == pytest.approx(0.385, abs=0.0005)
    assert scott_pi(bertha, bill) == pytest.approx(0.314, abs=0.0005)
    assert krippendorff_alpha([bertha, bill]) == pytest.approx(0.329, abs=0.0005)


def test_no_variation_is_undefined_not_perfect():
    same = [[1, 1, 1], [1, 1, 1]]
    assert krippendorff_alpha(same) is None
    assert cohen_kappa(*same) is None
    assert scott_pi(*same) is None
    assert fleiss_kappa(same) is None
    assert percent_agreement(same) == 1.0


def test_nothing_pairable_is_undefined():
    assert krippendorff_alpha([[1, None], [None, 2]]) is None
    assert percent_agreement([[1, None], [None, 2]]) is None
    assert cohen_kappa_from_table(np.zeros((2, 2))) is None


def test_fleiss_kappa_refuses_missing_values():
    with pytest.raises(ValueError, match="Fleiss' kappa needs every coder to code every unit"):
        fleiss_kappa([[1, None], [1, 2]])


@pytest.mark.parametrize("level", ["nominal", "ordinal", "interval", "ratio"])
@pytest.mark.parametrize("seed", range(5))
def test_alpha_matches_the_krippendorff_package_on_random_data(level, seed):
    rng = np.random.default_rng(seed)
    data = rng.integers(1, 6, size=(4, 40)).astype(float)
    data[rng.random(data.shape) < 0.2] = np.nan
    ours = krippendorff_alpha(
        [[None if np.isnan(v) else int(v) for v in row] for row in data], level
    )
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    assert ours == pytest.approx(theirs, abs=1e-9)


def test_relabelling_categories_changes_nothing():
    relabelled = [[None if v is None else f"v{v}" for v in row] for row in KRIPPENDORFF_2011]
    assert krippendorff_alpha(relabelled) == pytest.approx(krippendorff_alpha(KRIPPENDORFF_2011))

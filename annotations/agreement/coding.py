"""Agreement coefficients for coded data (units × coders, one value per cell).

Every function returns ``None`` where the coefficient is undefined (no pairable
values, no variation, a zero denominator): an undefined agreement is not perfect
agreement, so it is never reported as 1.0.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")
Value = Hashable | None
FloatArray = NDArray[np.float64]


def _value_index(data: Sequence[Sequence[Value]], level: Level) -> list[Hashable]:
    present = {value for row in data for value in row if value is not None}
    if level == "nominal":
        return sorted(present, key=lambda value: (type(value).__name__, str(value)))
    return sorted(present, key=float)  # type: ignore[arg-type]


def coincidence_matrix(
    data: Sequence[Sequence[Value]], level: Level = "nominal"
) -> tuple[list[Hashable], FloatArray]:
    """Krippendorff's coincidence matrix of coded data.

    ``data`` has one row per coder and one column per unit; ``None`` is a missing value.
    For each unit u with m_u >= 2 values, every ordered pair of values from different
    coders adds 1/(m_u - 1) to o[c, k] (Krippendorff 2011, "Computing Krippendorff's
    alpha-reliability", section C). Units with fewer than two values are not pairable
    and add nothing. Returns the sorted values and the matrix.
    """
    values = _value_index(data, level)
    position = {value: index for index, value in enumerate(values)}
    units = max((len(row) for row in data), default=0)
    counts = np.zeros((units, len(values)))
    for row in data:
        for unit, value in enumerate(row):
            if value is not None:
                counts[unit, position[value]] += 1
    pairable = counts.sum(axis=1)
    keep = pairable >= 2
    counts, pairable = counts[keep], pairable[keep]
    weighted = counts / (pairable - 1)[:, None]
    matrix = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    return values, matrix


def distance_matrix(values: Sequence[Hashable], margins: FloatArray, level: Level) -> FloatArray:
    """Squared difference function δ²(c, k) of Krippendorff (2011), section E.

    nominal: 0 if c = k else 1; ordinal: (Σ_{g=c..k} n_g − (n_c + n_k)/2)² using the
    value margins n_g; interval: (c − k)²; ratio: ((c − k)/(c + k))².
    """
    size = len(values)
    if level == "nominal":
        return 1.0 - np.eye(size)
    if level == "ordinal":
        cumulative = np.concatenate([[0.0], np.cumsum(margins)])
        low = np.minimum.outer(np.arange(size), np.arange(size))
        high = np.maximum.outer(np.arange(size), np.arange(size))
        between = cumulative[high + 1] - cumulative[low]
        result: FloatArray = (between - (margins[:, None] + margins[None, :]) / 2.0) ** 2
        return result
    numbers = np.array([float(value) for value in values])  # type: ignore[arg-type]
    difference = numbers[:, None] - numbers[None, :]
    if level == "interval":
        return difference**2
    total = numbers[:, None] + numbers[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, difference / np.where(total == 0, 1.0, total))
    return ratio**2


def alpha_from_coincidences(
    values: Sequence[Hashable], matrix: FloatArray, level: Level = "nominal"
) -> float | None:
    """Krippendorff's alpha from a coincidence matrix.

    α = 1 − D_o / D_e = 1 − (n − 1) · Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck, with n_c the
    row margins and n the number of pairable values (Krippendorff 2011, section E).
    Undefined (None) with fewer than two pairable values or no expected disagreement.
    """
    margins = matrix.sum(axis=1)
    total = float(margins.sum())
    if total <= 1:
        return None
    delta = distance_matrix(values, margins, level)
    expected = float((np.outer(margins, margins) * delta).sum())
    if expected <= 0:
        return None
    observed = float((matrix * delta).sum())
    return 1.0 - (total - 1.0) * observed / expected


def krippendorff_alpha(data: Sequence[Sequence[Value]], level: Level = "nominal") -> float | None:
    """Krippendorff's alpha for coded data with any number of coders and missing values.

    Source: Krippendorff, K. (2011). Computing Krippendorff's alpha-reliability.
    Annenberg School for Communication, University of Pennsylvania. See
    :func:`coincidence_matrix` and :func:`alpha_from_coincidences` for the formulas.
    """
    values, matrix = coincidence_matrix(data, level)
    return alpha_from_coincidences(values, matrix, level)


def _paired(first: Sequence[Value], second: Sequence[Value]) -> list[tuple[Hashable, Hashable]]:
    return [(a, b) for a, b in zip(first, second, strict=True) if a is not None and b is not None]


def contingency_table(
    pairs: Sequence[tuple[Hashable, Hashable]],
) -> tuple[list[Hashable], FloatArray]:
    """Counts of (first coder's value, second coder's value) over the paired units."""
    values = sorted({v for pair in pairs for v in pair}, key=lambda v: (type(v).__name__, str(v)))
    position = {value: index for index, value in enumerate(values)}
    table = np.zeros((len(values), len(values)))
    for a, b in pairs:
        table[position[a], position[b]] += 1
    return values, table


def cohen_kappa_from_table(table: FloatArray) -> float | None:
    """Cohen's kappa from a two-coder contingency table.

    κ = (p_o − p_e) / (1 − p_e), p_o = Σ_c p_cc, p_e = Σ_c p_c· p_·c (each coder's own
    marginal distribution). Source: Cohen, J. (1960). A coefficient of agreement for
    nominal scales. Educational and Psychological Measurement 20(1):37–46.
    """
    total = float(table.sum())
    if total == 0:
        return None
    p = table / total
    observed = float(p.trace())
    expected = float(p.sum(axis=1) @ p.sum(axis=0))
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def scott_pi_from_table(table: FloatArray) -> float | None:
    """Scott's pi from a two-coder contingency table.

    π = (p_o − p_e) / (1 − p_e), p_e = Σ_c ((p_c· + p_·c) / 2)² (one pooled marginal
    distribution). Source: Scott, W. A. (1955). Reliability of content analysis: the
    case of nominal scale coding. Public Opinion Quarterly 19(3):321–325.
    """
    total = float(table.sum())
    if total == 0:
        return None
    p = table / total
    observed = float(p.trace())
    pooled = (p.sum(axis=1) + p.sum(axis=0)) / 2.0
    expected = float(pooled @ pooled)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def cohen_kappa(first: Sequence[Value], second: Sequence[Value]) -> float | None:
    """Cohen's kappa of two coders over the units both coded.

    See :func:`cohen_kappa_from_table` for the formula and source.
    """
    return cohen_kappa_from_table(contingency_table(_paired(first, second))[1])


def scott_pi(first: Sequence[Value], second: Sequence[Value]) -> float | None:
    """Scott's pi of two coders over the units both coded (see :func:`scott_pi_from_table`)."""
    return scott_pi_from_table(contingency_table(_paired(first, second))[1])


def fleiss_kappa(data: Sequence[Sequence[Value]]) -> float | None:
    """Fleiss' kappa for m coders who all coded every unit (no missing values).

    With n_uc the number of coders who put unit u in category c (N units, m coders):
    P_u = (Σ_c n_uc² − m) / (m(m − 1)), P̄ = mean P_u, p_c = Σ_u n_uc / (N m),
    P_e = Σ_c p_c², κ = (P̄ − P_e) / (1 − P_e). Source: Fleiss, J. L. (1971). Measuring
    nominal scale agreement among many raters. Psychological Bulletin 76(5):378–382.
    Raises ValueError on missing values, which the coefficient cannot take.
    """
    if any(value is None for row in data for value in row):
        raise ValueError("Fleiss' kappa needs every coder to code every unit")
    coders = len(data)
    if coders < 2 or not data[0]:
        return None
    values = _value_index(data, "nominal")
    position = {value: index for index, value in enumerate(values)}
    counts = np.zeros((len(data[0]), len(values)))
    for row in data:
        for unit, value in enumerate(row):
            counts[unit, position[value]] += 1
    per_unit = ((counts**2).sum(axis=1) - coders) / (coders * (coders - 1))
    observed = float(per_unit.mean())
    shares = counts.sum(axis=0) / counts.sum()
    expected = float(shares @ shares)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1.0 - expected)


def percent_agreement(data: Sequence[Sequence[Value]]) -> float | None:
    """Share of agreeing coder pairs, averaged over the pairable units.

    For a unit with m_u >= 2 values, agreement is Σ_c n_uc(n_uc − 1) / (m_u(m_u − 1)),
    the share of pairs of its values that agree; the result is the mean over those
    units. With two coders this is the plain proportion of units they coded alike
    (Fleiss 1971's P̄ when nothing is missing). None when no unit is pairable.
    """
    units: list[float] = []
    counts: dict[int, dict[Hashable, int]] = {}
    for row in data:
        for unit, value in enumerate(row):
            if value is not None:
                counts.setdefault(unit, {}).setdefault(value, 0)
                counts[unit][value] += 1
    for tally in counts.values():
        pairable = sum(tally.values())
        if pairable >= 2:
            agreeing = sum(n * (n - 1) for n in tally.values())
            units.append(agreeing / (pairable * (pairable - 1)))
    return float(np.mean(units)) if units else None

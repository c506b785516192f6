"""Benford's law tests on leading digits: expected vs observed proportions, chi-square, MAD and
Nigrini's conformity verdict.

Works on count matrices (one row per group, one column per digit) so a whole file and thousands of
vendor/user groups are tested in one vectorised pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Nigrini (2012), Table 7.1: MAD upper bounds for close / acceptable / marginal conformity.
MAD_LIMITS = {1: (0.006, 0.012, 0.015), 2: (0.0012, 0.0018, 0.0022)}
CONFORMITY_LEVELS = ("close conformity", "acceptable conformity", "marginal conformity", "nonconformity")
# Chi-square critical values for 8 (first digit) and 89 (first two digits) degrees of freedom.
CHI_SQUARE_CRITICAL = {1: {0.05: 15.507, 0.01: 20.090}, 2: {0.05: 112.022, 0.01: 122.942}}
DEFAULT_MIN_ABS_AMOUNT = 10.0


def digit_values(digits: int) -> np.ndarray:
    """The possible leading values: 1..9 for first digits, 10..99 for first two digits."""
    if digits not in (1, 2):
        raise ValueError(f"digits must be 1 or 2, got {digits}")
    return np.arange(10 ** (digits - 1), 10**digits)


def expected_proportions(digits: int) -> np.ndarray:
    values = digit_values(digits)
    return np.log10(1 + 1 / values)


def leading_digits(amounts: np.ndarray, digits: int = 2, min_abs: float = DEFAULT_MIN_ABS_AMOUNT) -> np.ndarray:
    """The first ``digits`` digits of each |amount| (0 where |amount| < ``min_abs``, NaN or too large).

    Amounts are taken in whole cents so the digits are exact (no floating-point log rounding).
    """
    magnitude = np.abs(np.asarray(amounts, dtype="float64"))
    eligible = np.isfinite(magnitude) & (magnitude >= max(min_abs, 0.1)) & (magnitude < 1e15)
    cents = np.rint(np.where(eligible, magnitude, 1.0) * 100).astype("int64")
    width = np.floor(np.log10(cents)).astype("int64") + 1
    # log10 can land one off right at powers of ten; correct with exact integer comparisons.
    width -= (cents < 10 ** (width - 1)).astype("int64")
    width += (cents >= 10**width).astype("int64")
    lead = cents // 10 ** np.maximum(width - digits, 0)
    return np.where(eligible, lead, 0)


def conformity(mad: float, digits: int) -> str:
    close, acceptable, marginal = MAD_LIMITS[digits]
    if mad <= close:
        return CONFORMITY_LEVELS[0]
    if mad <= acceptable:
        return CONFORMITY_LEVELS[1]
    if mad <= marginal:
        return CONFORMITY_LEVELS[2]
    return CONFORMITY_LEVELS[3]


@dataclass(frozen=True)
class CountStatistics:
    """Benford statistics of each row of a (groups × digit values) count matrix."""

    n: np.ndarray
    observed: np.ndarray  # proportions, same shape as the counts
    mad: np.ndarray
    chi_square: np.ndarray
    z: np.ndarray  # Nigrini's per-digit z statistic (with continuity correction), signed by excess


def count_statistics(counts: np.ndarray, digits: int, expected: np.ndarray | None = None) -> CountStatistics:
    """``expected``: the proportions to test against; by default Benford's for ``digits`` leading digits."""
    counts = np.atleast_2d(np.asarray(counts, dtype="float64"))
    expected = expected_proportions(digits) if expected is None else expected
    n = counts.sum(axis=1)
    safe_n = np.where(n > 0, n, 1.0)[:, None]
    observed = counts / safe_n
    difference = observed - expected
    mad = np.abs(difference).mean(axis=1)
    chi_square = ((counts - safe_n * expected) ** 2 / (safe_n * expected)).sum(axis=1)
    spread = np.sqrt(expected * (1 - expected) / safe_n)
    z = np.maximum(np.abs(difference) - 1 / (2 * safe_n), 0) / spread * np.sign(difference)
    empty = n == 0
    mad[empty], chi_square[empty] = np.nan, np.nan
    return CountStatistics(n=n.astype("int64"), observed=observed, mad=mad, chi_square=chi_square, z=z)


@dataclass(frozen=True)
class BenfordTest:
    digits: int
    n: int
    counts: np.ndarray
    expected: np.ndarray
    observed: np.ndarray
    z: np.ndarray
    chi_square: float
    mad: float
    conformity: str

    @property
    def degrees_of_freedom(self) -> int:
        return len(self.expected) - 1

    @property
    def chi_square_exceeds_5pct(self) -> bool:
        return self.chi_square > CHI_SQUARE_CRITICAL[self.digits][0.05]

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary with one entry per digit value."""
        values = digit_values(self.digits).tolist()
        return {
            "digits": self.digits,
            "n": self.n,
            "mad": round(self.mad, 6),
            "conformity": self.conformity,
            "mad_limits": dict(zip(CONFORMITY_LEVELS[:3], MAD_LIMITS[self.digits], strict=True)),
            "chi_square": round(self.chi_square, 3),
            "degrees_of_freedom": self.degrees_of_freedom,
            "chi_square_critical_5pct": CHI_SQUARE_CRITICAL[self.digits][0.05],
            "chi_square_exceeds_5pct": self.chi_square_exceeds_5pct,
            "proportions": [
                {
                    "digit": d,
                    "count": int(c),
                    "expected": round(float(e), 6),
                    "observed": round(float(o), 6),
                    "z": round(float(z), 3),
                }
                for d, c, e, o, z in zip(values, self.counts, self.expected, self.observed, self.z, strict=True)
            ],
        }


def counts_by_digit(leads: np.ndarray, digits: int) -> np.ndarray:
    """Counts per digit value of already-extracted leading values (0 = not eligible, ignored)."""
    values = digit_values(digits)
    used = leads[leads > 0]
    return np.bincount(used - values[0], minlength=len(values))[: len(values)]


def benford_test(amounts: np.ndarray, digits: int = 1, min_abs: float = DEFAULT_MIN_ABS_AMOUNT) -> BenfordTest:
    """Test the leading digits of the amounts with |amount| ≥ ``min_abs`` against Benford's law.

    With no eligible amount the statistics are NaN and the verdict is "insufficient data"; a caller
    decides separately how many rows are enough to trust a verdict.
    """
    counts = counts_by_digit(leading_digits(amounts, digits, min_abs), digits)
    stats = count_statistics(counts, digits)
    n = int(stats.n[0])
    mad = float(stats.mad[0])
    return BenfordTest(
        digits=digits,
        n=n,
        counts=counts,
        expected=expected_proportions(digits),
        observed=stats.observed[0],
        z=stats.z[0],
        chi_square=float(stats.chi_square[0]),
        mad=mad,
        conformity=conformity(mad, digits) if n else "insufficient data",
    )

"""Nigrini's further digit tests beside the first and first-two digit tests of ``benford``: the second
digit, the last two digits, the summation test and number duplication.

Each takes the file's amounts and gives a JSON-safe report with the same statistics as the Benford
tests (counts, expected and observed shares, z, MAD, chi-square and a conformity verdict) and a
verdict in words with a severity, so a reader sees at once whether the test found something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import chi2

from fintrace_pipeline.analytics.benford import CONFORMITY_LEVELS, CountStatistics, count_statistics, leading_digits

# Nigrini (2012), Table 7.1: MAD upper bounds of the second-digit test (close, acceptable, marginal).
SECOND_DIGIT_MAD_LIMITS = (0.008, 0.010, 0.012)
# Nigrini gives no MAD bounds for the last two digits: they are judged by chi-square alone.
CONFORMS, NONCONFORMS = "conformity", "nonconformity"
LAST_TWO_BASES = ("auto", "cents", "units")
FIRST_TWO_VALUES = np.arange(10, 100)


def second_digit_expected() -> np.ndarray:
    """Benford's proportions of second digits 0..9: summed over every first digit 1..9."""
    first = np.arange(1, 10)[:, None]
    return np.log10(1 + 1 / (10 * first + np.arange(10))).sum(axis=0)


def chi_square_critical(degrees_of_freedom: int, level: float = 0.05) -> float:
    return float(chi2.ppf(1 - level, degrees_of_freedom))


@dataclass(frozen=True)
class DigitDistribution:
    """Counts of one digit test against the proportions it expects."""

    code: str
    title: str
    values: np.ndarray
    counts: np.ndarray
    expected: np.ndarray
    mad_limits: tuple[float, float, float] | None  # None: judged by chi-square at 5 %
    stats: CountStatistics
    basis: str | None = None  # what the digits are read from, where the test has a choice

    @classmethod
    def of(cls, code: str, title: str, counts: np.ndarray, expected: np.ndarray, mad_limits, basis=None):
        stats = count_statistics(counts, 0, expected)
        return cls(code, title, np.arange(len(counts)), counts, expected, mad_limits, stats, basis)

    @property
    def n(self) -> int:
        return int(self.stats.n[0])

    @property
    def mad(self) -> float:
        return float(self.stats.mad[0])

    @property
    def chi_square(self) -> float:
        return float(self.stats.chi_square[0])

    @property
    def degrees_of_freedom(self) -> int:
        return len(self.expected) - 1

    @property
    def critical_5pct(self) -> float:
        return chi_square_critical(self.degrees_of_freedom)

    @property
    def conformity(self) -> str:
        if self.n == 0:
            return "insufficient data"
        if self.mad_limits is None:
            return NONCONFORMS if self.chi_square > self.critical_5pct else CONFORMS
        for level, limit in zip(CONFORMITY_LEVELS, self.mad_limits, strict=False):
            if self.mad <= limit:
                return level
        return CONFORMITY_LEVELS[3]

    def verdict(self) -> dict[str, Any]:
        """The test's finding: a severity (None when the digits conform) and the reason in words."""
        conformity = self.conformity
        severity = {CONFORMITY_LEVELS[2]: "low", CONFORMITY_LEVELS[3]: "medium", NONCONFORMS: "medium"}.get(conformity)
        bound = (
            f"MAD {self.mad:.4f}, marginal bound {self.mad_limits[2]:g}; "
            if self.mad_limits is not None
            else f"MAD {self.mad:.4f}; "
        )
        over = self.most_over_represented()
        excess = f"; most over-represented: {over}" if severity and over is not None else ""
        reason = (
            f"{self.title} of {self.n:,} amounts: {conformity} ({bound}chi-square {self.chi_square:.1f} "
            f"{'above' if self.chi_square > self.critical_5pct else 'within'} the 5 % critical value "
            f"{self.critical_5pct:.1f}){excess}"
        )
        return {"code": self.code, "severity": severity, "reason": reason}

    def most_over_represented(self) -> str | None:
        z = self.stats.z[0]
        if not len(z) or z.max() <= 0:
            return None
        i = int(np.argmax(z))
        return f"{self._label(self.values[i])} (z {z[i]:.1f})"

    def _label(self, value: int) -> str:
        return f"{value:02d}" if self.code == "LAST_TWO_DIGITS" else str(value)

    def to_dict(self) -> dict[str, Any]:
        stats = self.stats
        report: dict[str, Any] = {
            **self.verdict(),
            "n": self.n,
            "mad": round(self.mad, 6),
            "conformity": self.conformity,
            "mad_limits": None
            if self.mad_limits is None
            else dict(zip(CONFORMITY_LEVELS[:3], self.mad_limits, strict=True)),
            "chi_square": round(self.chi_square, 3),
            "degrees_of_freedom": self.degrees_of_freedom,
            "chi_square_critical_5pct": round(self.critical_5pct, 3),
            "chi_square_exceeds_5pct": self.chi_square > self.critical_5pct,
            "proportions": [
                {
                    "digit": self._label(int(d)) if self.code == "LAST_TWO_DIGITS" else int(d),
                    "count": int(c),
                    "expected": round(float(e), 6),
                    "observed": round(float(o), 6),
                    "z": round(float(zz), 3),
                }
                for d, c, e, o, zz in zip(
                    self.values, self.counts, self.expected, stats.observed[0], stats.z[0], strict=True
                )
            ],
        }
        if self.basis is not None:
            report["basis"] = self.basis
        return report


def _cents(amounts: np.ndarray, min_abs: float) -> tuple[np.ndarray, np.ndarray]:
    """|amounts| in whole cents and which are eligible (finite, ≥ ``min_abs``)."""
    magnitude = np.abs(np.asarray(amounts, dtype="float64"))
    eligible = np.isfinite(magnitude) & (magnitude >= min_abs) & (magnitude < 1e15)
    return np.rint(np.where(eligible, magnitude, 0.0) * 100).astype("int64"), eligible


def second_digit_test(amounts: np.ndarray, min_abs: float) -> DigitDistribution:
    """The second digits (0..9) of the amounts ≥ ``min_abs`` against Benford's law."""
    leads = leading_digits(amounts, 2, min_abs)
    counts = np.bincount(leads[leads > 0] % 10, minlength=10)
    return DigitDistribution.of(
        "SECOND_DIGIT", "Second digits", counts, second_digit_expected(), SECOND_DIGIT_MAD_LIMITS
    )


def last_two_digits_test(amounts: np.ndarray, min_abs: float, basis: str = "auto") -> DigitDistribution:
    """The last two digits (00..99) against the uniform 1 % each that invented numbers stray from.

    ``basis``: "cents" reads the cents; "units" the last two digits of the whole units (amounts of 100
    and more, so the first digit is never one of them); "auto" the units when most amounts are whole.
    """
    if basis not in LAST_TWO_BASES:
        raise ValueError(f"basis must be one of {', '.join(LAST_TWO_BASES)}, got {basis!r}")
    cents, eligible = _cents(amounts, min_abs)
    if basis == "auto":
        whole = (cents[eligible] % 100 == 0).mean() if eligible.any() else 0.0
        basis = "units" if whole >= 0.5 else "cents"
    if basis == "units":
        eligible &= cents >= 10_000
        digits = (cents // 100) % 100
    else:
        digits = cents % 100
    counts = np.bincount(digits[eligible], minlength=100)
    return DigitDistribution.of("LAST_TWO_DIGITS", "Last two digits", counts, np.full(100, 0.01), None, basis)


def summation_test(amounts: np.ndarray, min_abs: float, top_n: int = 5) -> dict[str, Any]:
    """The sum of the amounts under each first-two digits (10..99), each expected to be 1/90 of the total.

    A sum far above its share is usually made by a few large amounts: each listed digit names its
    largest amount and the part of the digit's sum it makes.
    """
    magnitude = np.abs(np.asarray(amounts, dtype="float64"))
    leads = leading_digits(amounts, 2, min_abs)
    used = leads > 0
    bins = leads[used] - 10
    values = magnitude[used]
    sums = np.bincount(bins, weights=values, minlength=90)
    counts = np.bincount(bins, minlength=90)
    largest = np.zeros(90)
    np.maximum.at(largest, bins, values)
    total = float(sums.sum())
    expected = 1 / 90
    shares = sums / total if total > 0 else np.zeros(90)
    mad = float(np.abs(shares - expected).mean()) if total > 0 else float("nan")
    order = np.argsort(-shares, kind="stable")[:top_n]
    top = [
        {
            "digit": int(FIRST_TWO_VALUES[i]),
            "sum": round(float(sums[i]), 2),
            "share": round(float(shares[i]), 6),
            "times_expected": round(float(shares[i] / expected), 2),
            "count": int(counts[i]),
            "largest_amount": round(float(largest[i]), 2),
            "largest_share_of_sum": round(float(largest[i] / sums[i]), 4) if sums[i] > 0 else None,
        }
        for i in order
        if sums[i] > 0
    ]
    severity = None
    reason = f"Summation test of {int(used.sum()):,} amounts: no amounts to sum"
    if top:
        first = top[0]
        severity = "medium" if first["times_expected"] >= 3 else "low" if first["times_expected"] >= 2 else None
        reason = (
            f"Summation test of {int(used.sum()):,} amounts: the amounts starting with {first['digit']} sum to "
            f"{first['sum']:,.2f}, {first['times_expected']:.1f}× the 1/90 of the total expected "
            f"(largest {first['largest_amount']:,.2f}, {first['largest_share_of_sum'] * 100:.0f} % of that sum); "
            f"MAD {mad:.5f}"
        )
    return {
        "code": "SUMMATION",
        "severity": severity,
        "reason": reason,
        "n": int(used.sum()),
        "total": round(total, 2),
        "expected_share": round(expected, 6),
        "mad": None if np.isnan(mad) else round(mad, 6),
        "top_sums": top,
        "sums": [{"digit": int(d), "share": round(float(s), 6)} for d, s in zip(FIRST_TWO_VALUES, shares, strict=True)],
    }


def number_duplication_test(amounts: np.ndarray, min_abs: float, top_n: int = 10) -> dict[str, Any]:
    """The exact amounts (≥ ``min_abs``, by absolute value) that occur most often, and Nigrini's number
    duplication factor: the sum of squared counts over n², 1/n when every amount is different."""
    cents, eligible = _cents(amounts, min_abs)
    values, counts = np.unique(cents[eligible], return_counts=True)
    n = int(eligible.sum())
    order = np.lexsort((values, -counts))[:top_n]
    top = [
        {
            "amount": round(int(values[i]) / 100, 2),
            "count": int(counts[i]),
            "share": round(int(counts[i]) / n, 6),
            "total": round(int(values[i]) * int(counts[i]) / 100, 2),
        }
        for i in order
        if counts[i] > 1
    ]
    factor = float((counts.astype("float64") ** 2).sum() / n**2) if n else None
    severity = None
    reason = f"Number duplication of {n:,} amounts: no amount occurs twice"
    if top:
        first = top[0]
        severity = "low" if first["share"] >= 0.01 else None
        reason = (
            f"Number duplication of {n:,} amounts: {first['amount']:,.2f} occurs most often, {first['count']:,} "
            f"times ({first['share'] * 100:.2f} %); {len(values):,} distinct amounts"
        )
    return {
        "code": "NUMBER_DUPLICATION",
        "severity": severity,
        "reason": reason,
        "n": n,
        "distinct_amounts": int(len(values)),
        "number_duplication_factor": None if factor is None else round(factor, 6),
        "most_frequent": top,
    }

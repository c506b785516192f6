"""Nigrini's further digit tests on the whole file (second digit, last two digits, summation, number
duplication), reported beside the first and first-two digit tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fintrace_pipeline.analytics.benford import leading_digits
from fintrace_pipeline.analytics.digit_tests import (
    last_two_digits_test,
    number_duplication_test,
    second_digit_test,
    summation_test,
)
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun


@dataclass(frozen=True)
class DigitTestOptions(Options):
    digit_tests_min_abs_amount: float = 10.0
    digit_tests_min_rows: int = 500  # eligible amounts the file-level tests need
    last_two_digits_basis: str = "auto"  # "cents", "units" (whole units) or "auto" (units when most are whole)
    summation_top_n: int = 5
    number_duplication_top_n: int = 10


def check_digit_tests(run: RuleRun, options: DigitTestOptions) -> None:
    """The four tests into the file's Benford report (``checks["benford"]``); each reports its code,
    a severity and the reason in words."""
    amounts = run.transactions["amount"].to_numpy(dtype="float64")
    min_abs, min_rows = options.digit_tests_min_abs_amount, options.digit_tests_min_rows
    report: dict[str, Any] = run.checks.setdefault("benford", {})
    eligible = int((leading_digits(amounts, 2, min_abs) > 0).sum())
    if eligible < min_rows:
        run.skip("digit_tests", f"only {eligible} amounts ≥ {min_abs:g} (needs {min_rows})")
        return
    report["second_digit"] = second_digit_test(amounts, min_abs).to_dict()
    report["last_two_digits"] = last_two_digits_test(amounts, min_abs, options.last_two_digits_basis).to_dict()
    report["summation"] = summation_test(amounts, min_abs, options.summation_top_n)
    report["number_duplication"] = number_duplication_test(amounts, min_abs, options.number_duplication_top_n)
    report["digit_test_findings"] = [
        {key: report[name][key] for key in ("code", "severity", "reason")}
        for name in ("second_digit", "last_two_digits", "summation", "number_duplication")
        if report[name]["severity"] is not None
    ]

"""Reading a flagging stage's result in tests."""

from __future__ import annotations

import pandas as pd


def flags_of(result, code: str) -> pd.DataFrame:
    return result.flags[result.flags["rule_code"] == code].reset_index(drop=True)


def skipped_checks(result) -> dict[str, str]:
    return {s["check"]: s["reason"] for s in result.skipped}

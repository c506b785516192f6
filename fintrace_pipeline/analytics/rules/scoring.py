"""The rule score of a row: the summed severity weights of its flags."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import SEVERITY_WEIGHT


def severity_weights(flags: pd.DataFrame) -> np.ndarray:
    """Each flag's severity weight (0 for an unknown severity)."""
    severity = flags["severity"].to_numpy(dtype=object)
    return np.select([severity == name for name in SEVERITY_WEIGHT], list(SEVERITY_WEIGHT.values()), 0.0)


def rule_scores(flags: pd.DataFrame) -> pd.Series:
    """Per-row rule score: the summed severity weight of the row's flags (index ``row_number``)."""
    if flags.empty:
        return pd.Series(dtype="float64", index=pd.Index([], dtype="int64", name="row_number"), name="rule_score")
    scores = pd.Series(severity_weights(flags)).groupby(flags["row_number"].to_numpy()).sum()
    scores.index = scores.index.astype("int64").rename("row_number")
    return scores.rename("rule_score")

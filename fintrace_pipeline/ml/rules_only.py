"""Risk scores and reasons from the rule findings alone, for a file the models cannot learn from.

A row's risk is the percentile its strongest finding stands for on the reasons' rarity scale: a
high-severity finding ranks like a value in the top 0.1 % of a file (99.9), a medium one like the top
0.3 % (99.68). A row without findings scores 0 and carries no reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.ml.detectors import quantile_normalise
from fintrace_pipeline.ml.ensemble import RULE_SCORE
from fintrace_pipeline.ml.explain import explain_rule_findings, finding_strength
from fintrace_pipeline.ml.features import rule_features
from fintrace_pipeline.ml.options import MLOptions

DEFINITION = (
    "rule findings only: the percentile the row's strongest finding stands for "
    "(high 99.9, medium 99.68, low 99); 0 without findings"
)


@dataclass
class RuleOnlyScores:
    risk: np.ndarray  # 0-100 per row
    normalised: dict[str, np.ndarray]  # the rule score mapped to [0, 1] by rank, when there are findings
    explanations: pd.DataFrame  # reasons of the rows with findings (positions as index)
    flagged_rows: int


def rule_only_scores(frame: pd.DataFrame, flags: pd.DataFrame | None, options: MLOptions) -> RuleOnlyScores:
    row_numbers = frame["row_number"]
    if flags is None or len(flags) == 0:
        none = np.empty(0, dtype=np.int64)
        return RuleOnlyScores(np.zeros(len(frame)), {}, explain_rule_findings(frame, None, none, options), 0)
    strongest = finding_strength(flags["severity"]).groupby(flags["row_number"].to_numpy()).max()
    decades = strongest.reindex(row_numbers.to_numpy()).to_numpy(dtype=np.float64)  # NaN: no finding
    flagged = np.flatnonzero(~np.isnan(decades))
    risk = np.zeros(len(frame))
    risk[flagged] = 100.0 * (1.0 - 10.0 ** -decades[flagged])
    rule_score = rule_features(flags, row_numbers)["rule_severity_sum"]
    return RuleOnlyScores(
        risk=risk,
        normalised={RULE_SCORE: quantile_normalise(rule_score)},
        explanations=explain_rule_findings(frame, flags, flagged, options),
        flagged_rows=len(flagged),
    )

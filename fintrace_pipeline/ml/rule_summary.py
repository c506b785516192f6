"""The duplicate and anomaly rule stages restated in model terms (one ModelResult each)."""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.findings import SEVERITY_WEIGHT, ModelResult
from fintrace_pipeline.ml.options import MODEL_VERSION

STAGE_OF_MODEL = {"duplicate_detection": "duplicate_analysis", "anomaly_detection": "anomaly_detection"}
TOP_CODES = 10


def summarise_stage(model_type: str, flags: pd.DataFrame | None, n_rows: int) -> ModelResult:
    """risk_score = percentage of the file's rows the stage flagged; confidence = mean severity / high."""
    stage = STAGE_OF_MODEL[model_type]
    if flags is None or len(flags) == 0 or "analytics_type" not in flags.columns:
        stage_flags = pd.DataFrame(columns=["row_number", "rule_code", "severity", "group_id"])
    else:
        stage_flags = flags[flags["analytics_type"] == stage]
    flagged_rows = int(stage_flags["row_number"].nunique())
    weights = stage_flags["severity"].map(SEVERITY_WEIGHT).astype("float64")
    code_counts = stage_flags["rule_code"].value_counts().head(TOP_CODES)
    groups = int(stage_flags["group_id"].dropna().nunique()) if "group_id" in stage_flags else 0
    is_duplicates = model_type == "duplicate_detection"
    return ModelResult(
        model_type=model_type,
        anomalies_detected=0 if is_duplicates else flagged_rows,
        duplicates_found=flagged_rows if is_duplicates else 0,
        risk_score=round(100.0 * flagged_rows / n_rows, 4) if n_rows else 0.0,
        confidence_score=round(float(weights.mean()) / SEVERITY_WEIGHT["high"], 4) if len(weights) else 0.0,
        detailed_results={
            "source_stage": stage,
            "flags": int(len(stage_flags)),
            "flagged_rows": flagged_rows,
            "duplicate_groups": groups,
            "top_codes": {str(code): int(count) for code, count in code_counts.items()},
            "by_severity": {str(k): int(v) for k, v in stage_flags["severity"].value_counts().items()},
            "risk_score_definition": "percentage of rows flagged by the stage",
        },
        model_metrics={"flag_rate": round(flagged_rows / n_rows, 6) if n_rows else 0.0},
        # Which rules carry the stage's findings: each code's share of the stage's flags.
        feature_importance={str(code): round(int(count) / len(stage_flags), 6) for code, count in code_counts.items()},
        data_size=n_rows,
        model_version=MODEL_VERSION,
    )

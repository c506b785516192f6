"""The ML stage's results in the contract's terms: one ModelResult per model, one score row per transaction."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import SCORE_COLUMNS, SKIPPED, ModelResult
from fintrace_pipeline.ml.detectors import DetectorReport, LearningData, feature_association, top_rows
from fintrace_pipeline.ml.ensemble import RULE_SCORE, EnsembleOutcome
from fintrace_pipeline.ml.features import FeatureSet
from fintrace_pipeline.ml.options import MODEL_VERSION, MLOptions

# Per-row score columns of the ensemble's components: ``<model_type>_score`` and the rule score.
COMPONENT_COLUMNS = tuple(c for c in SCORE_COLUMNS if c.endswith("_score") and c != "risk_score")


def _component_of(column: str) -> str:
    return column if column == RULE_SCORE else column.removesuffix("_score")


def with_duration(result: ModelResult, started: float) -> ModelResult:
    return dataclasses.replace(result, processing_duration=round(time.perf_counter() - started, 3))


def skipped_result(model_type: str, reason: str, n_rows: int, details: dict[str, Any] | None = None) -> ModelResult:
    return ModelResult(
        model_type=model_type,
        status=SKIPPED,
        anomalies_detected=0,
        duplicates_found=0,
        risk_score=0.0,
        confidence_score=0.0,
        detailed_results={"reason": reason, **(details or {})},
        model_metrics={},
        feature_importance={},
        data_size=n_rows,
        model_version=MODEL_VERSION,
        error_message=reason,
    )


def detector_result(
    model_type: str,
    data: LearningData,
    scores: np.ndarray,
    report: DetectorReport,
    importance: dict[str, float],
    features: FeatureSet,
    row_numbers: np.ndarray,
    options: MLOptions,
) -> ModelResult:
    """A fitted detector's result; ``confidence_score`` is filled once the ensemble exists."""
    anomalous = report.anomalous
    return ModelResult(
        model_type=model_type,
        anomalies_detected=int(anomalous.sum()),
        duplicates_found=0,
        risk_score=round(100.0 * float(anomalous.mean()), 4),
        confidence_score=None,
        detailed_results={
            **report.details,
            "features": data.names,
            "skipped_features": features.skipped,
            "held_back_features": features.held_back,
            "top_rows": top_rows(scores, row_numbers, options.top_rows_reported),
        },
        model_metrics={
            **report.metrics,
            "anomaly_share": round(float(anomalous.mean()), 6),
            "score_min": round(float(scores.min()), 6),
            "score_max": round(float(scores.max()), 6),
        },
        feature_importance=importance,
        data_size=len(scores),
        model_version=MODEL_VERSION,
    )


def ensemble_result(
    ensemble: EnsembleOutcome,
    forest_mode: str,
    majority: np.ndarray,
    high_risk: np.ndarray,
    explanations: pd.DataFrame,
    row_numbers: np.ndarray,
    features: FeatureSet,
    matrix: np.ndarray,
    association_sample: np.ndarray,
    metrics: dict[str, Any],
    options: MLOptions,
) -> ModelResult:
    ranked = high_risk[np.argsort(-ensemble.risk[high_risk], kind="stable")][: options.top_rows_reported]
    top = [
        {
            "row_number": int(row_numbers[i]),
            "risk_score": round(float(ensemble.risk[i]), 4),
            "reasons": str(explanations.at[i, "reasons"]),
            "reason_text": str(explanations.at[i, "reason_text"]),
        }
        for i in ranked
    ]
    return ModelResult(
        model_type="ensemble",
        anomalies_detected=int(len(high_risk)),
        duplicates_found=0,
        risk_score=round(100.0 * float(majority.mean()), 4),
        confidence_score=round(float(np.clip(ensemble.agreement["mean_pairwise_top_overlap"], 0.0, 1.0)), 4),
        detailed_results={
            "weights": dict(options.ensemble_weights),
            "weights_used": ensemble.weights_used,
            "normalisation": "rank (quantile) of each component's score, 0-1; combined as the weighted "
            "mean of -log10(1 - quantile), then ranked again to 0-100",
            "high_risk_threshold": round(ensemble.high_risk_threshold, 4),
            "high_risk_share": round(ensemble.high_risk_share, 6),
            "high_risk_rule": "top share of risk scores equal to the share of rows a majority of the models "
            f"call anomalous, kept within {options.high_risk_share_min:.1%}-{options.high_risk_share_max:.0%}",
            "random_forest_mode": forest_mode,
            "features": features.names,
            "detector_features": features.detector_names,
            "skipped_features": features.skipped,
            "held_back_features": features.held_back,
            "reason_counts": reason_counts(explanations),
            "top_rows": top,
            "risk_score_definition": "percentage of rows a majority of the models call anomalous",
            "options": {k: v for k, v in options.as_dict().items() if not isinstance(v, dict)},
        },
        model_metrics={
            **ensemble.agreement,
            "majority_anomalous_rows": int(majority.sum()),
            "models_combined": len(ensemble.weights_used),
            **metrics,
        },
        feature_importance=feature_association(matrix, features.names, ensemble.risk, association_sample),
        data_size=int(len(ensemble.risk)),
        model_version=MODEL_VERSION,
    )


def reason_counts(explanations: pd.DataFrame, top: int = 15) -> dict[str, int]:
    """How often each reason code is given, most frequent first."""
    counts = explanations["reasons"].str.split(";").explode().str.strip().replace("", pd.NA).dropna().value_counts()
    return {str(code): int(count) for code, count in counts.head(top).items()}


def score_frame(
    frame: pd.DataFrame, normalised: dict[str, np.ndarray], risk: np.ndarray, explanations: pd.DataFrame
) -> pd.DataFrame:
    """SCORE_COLUMNS, one row per transaction; rows outside ``explanations`` carry no reasons."""
    n = len(frame)
    transaction_id = (
        frame["transaction_id"].astype("string")
        if "transaction_id" in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    scores = pd.DataFrame(
        {
            "row_number": frame["row_number"].to_numpy(dtype=np.int64),
            "transaction_id": transaction_id.to_numpy(),
            "risk_score": np.round(risk, 4),
            **{c: normalised.get(_component_of(c), np.full(n, np.nan)) for c in COMPONENT_COLUMNS},
            "reasons": pd.Series("", index=frame.index, dtype="string"),
            "reason_text": pd.Series("", index=frame.index, dtype="string"),
        }
    )
    scores["transaction_id"] = scores["transaction_id"].astype("string")
    if len(explanations):
        scores.loc[explanations.index, "reasons"] = explanations["reasons"]
        scores.loc[explanations.index, "reason_text"] = explanations["reason_text"]
    return scores[list(SCORE_COLUMNS)]

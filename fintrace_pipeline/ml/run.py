"""The ML stage: features, isolation forest, random forest, DBSCAN and their ensemble, in one call.

File-level figures, the same for every model: ``risk_score`` is the percentage of the file's rows
the model calls anomalous (for the ensemble: rows that a majority of the models call anomalous);
``anomalies_detected`` counts those rows (for the ensemble: rows at or above the high-risk
threshold, which is taken from the data). ``confidence_score`` (0-1) is how well the model's
ranking agrees with the ensemble (Spearman); for the supervised forest it is the cross-validated
average precision, for the ensemble the models' mutual agreement on the top rows.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import SCORE_COLUMNS, SKIPPED, ModelResult
from fintrace_pipeline.ml.density import DbscanDetector
from fintrace_pipeline.ml.detectors import (
    feature_association,
    robust_cut,
    sample_rows,
    score_in_chunks,
    top_rows,
)
from fintrace_pipeline.ml.ensemble import EnsembleOutcome, combine
from fintrace_pipeline.ml.explain import explain_rows
from fintrace_pipeline.ml.features import FeatureSet, build_features
from fintrace_pipeline.ml.forest import (
    ForestOutcome,
    fit_supervised,
    fit_weakly_supervised,
    usable_labels,
    weak_labels,
)
from fintrace_pipeline.ml.isolation import IsolationForestDetector
from fintrace_pipeline.ml.options import MODEL_VERSION, MLOptions
from fintrace_pipeline.ml.rule_summary import summarise_stage

LEARNED_MODELS = ("isolation_forest", "random_forest", "dbscan", "ensemble")
# How far (in robust standard deviations of its own scores) a row must stand out to count as anomalous.
OUTLIER_CUT_K = 3.0
ASSOCIATION_ROWS = 20_000
MIN_WEAK_CLASS_ROWS = 5


@dataclass
class MLOutcome:
    models: list[ModelResult]
    scores: pd.DataFrame  # findings.SCORE_COLUMNS, one row per transaction


@dataclass
class _ModelRun:
    name: str
    scores: np.ndarray
    anomalous: np.ndarray  # bool per row
    result: ModelResult


def _with_duration(result: ModelResult, started: float) -> ModelResult:
    # processing_duration is an optional field of ModelResult; fill it where the contract has it.
    if "processing_duration" in {f.name for f in dataclasses.fields(result)}:
        result = dataclasses.replace(result, processing_duration=round(time.perf_counter() - started, 3))
    return result


def _timed_summary(model_type: str, flags: pd.DataFrame | None, n_rows: int) -> ModelResult:
    started = time.perf_counter()
    return _with_duration(summarise_stage(model_type, flags, n_rows), started)


def _skipped(model_type: str, reason: str, n_rows: int) -> ModelResult:
    return ModelResult(
        model_type=model_type,
        status=SKIPPED,
        anomalies_detected=0,
        duplicates_found=0,
        risk_score=0.0,
        confidence_score=0.0,
        detailed_results={"reason": reason},
        model_metrics={},
        feature_importance={},
        data_size=n_rows,
        model_version=MODEL_VERSION,
        error_message=reason,
    )


def _correlation(first: np.ndarray, second: np.ndarray) -> float:
    value = float(np.corrcoef(first, second)[0, 1])
    return 0.0 if np.isnan(value) else value


def _isolation(matrix: np.ndarray, options: MLOptions) -> tuple[np.ndarray, dict[str, Any]]:
    fit_rows = sample_rows(len(matrix), options.isolation_fit_rows, options.seed)
    detector = IsolationForestDetector(options).fit(matrix[fit_rows])
    scores = score_in_chunks(detector, matrix, options.score_chunk_rows)
    return scores, {
        "fit_rows": int(len(fit_rows)),
        "trees": options.isolation_trees,
        "max_samples": options.isolation_max_samples,
    }


def _dbscan(matrix: np.ndarray, options: MLOptions) -> tuple[np.ndarray, float, dict[str, Any]]:
    fit_rows = sample_rows(len(matrix), options.dbscan_fit_rows, options.seed + 1)
    detector = DbscanDetector(options).fit(matrix[fit_rows].astype(np.float64))
    scores = score_in_chunks(detector, matrix, options.score_chunk_rows)
    details = {
        "fit_rows": int(len(fit_rows)),
        "eps": detector.eps,
        "eps_rule": f"quantile {options.dbscan_eps_quantile} of the k-th neighbour distance",
        "min_samples": options.dbscan_min_samples,
        "core_points": detector.core_points_found,
        "clusters": detector.clusters_found,
        "sample_noise_share": detector.sample_noise_share,
    }
    return scores, detector.eps, details


def _forest(
    matrix: np.ndarray, features: FeatureSet, frame: pd.DataFrame, isolation_scores: np.ndarray, options: MLOptions
) -> ForestOutcome | str:
    labels = usable_labels(frame, options)
    if labels is not None:
        return fit_supervised(matrix, features.names, labels, options)
    rule_max = features.matrix["rule_max_severity"].to_numpy() if "rule_max_severity" in features.names else None
    positives, negatives, _ = weak_labels(isolation_scores, features.rule_score, rule_max, options)
    if len(positives) < MIN_WEAK_CLASS_ROWS or len(negatives) < MIN_WEAK_CLASS_ROWS:
        return (
            f"too few weak labels to train on ({len(positives)} positives, {len(negatives)} negatives; "
            f"need {MIN_WEAK_CLASS_ROWS} of each)"
        )
    # Weak labels come from the detectors' view of the data, so the forest learns on that same view:
    # held-back context columns would only let it fit noise around the pseudo-labels.
    detector_columns = [features.names.index(name) for name in features.detector_names]
    return fit_weakly_supervised(
        matrix[:, detector_columns], features.detector_names, isolation_scores, features.rule_score, rule_max, options
    )


def _model_result(
    model_type: str,
    scores: np.ndarray,
    anomalous: np.ndarray,
    row_numbers: np.ndarray,
    importance: dict[str, float],
    details: dict[str, Any],
    metrics: dict[str, Any],
    used_features: list[str],
    features: FeatureSet,
    options: MLOptions,
) -> ModelResult:
    n = len(scores)
    return ModelResult(
        model_type=model_type,
        anomalies_detected=int(anomalous.sum()),
        duplicates_found=0,
        risk_score=round(100.0 * float(anomalous.mean()), 4),
        confidence_score=None,  # filled once the ensemble exists
        detailed_results={
            **details,
            "features": used_features,
            "skipped_features": features.skipped,
            "held_back_features": features.held_back,
            "top_rows": top_rows(scores, row_numbers, options.top_rows_reported),
        },
        model_metrics={
            **metrics,
            "anomaly_share": round(float(anomalous.mean()), 6),
            "score_min": round(float(scores.min()), 6),
            "score_max": round(float(scores.max()), 6),
        },
        feature_importance=importance,
        data_size=n,
        model_version=MODEL_VERSION,
    )


def _score_frame(
    frame: pd.DataFrame, normalised: dict[str, np.ndarray], risk: np.ndarray | None, explanations: pd.DataFrame | None
) -> pd.DataFrame:
    n = len(frame)

    def column(name: str) -> np.ndarray:
        return normalised[name] if name in normalised else np.full(n, np.nan)

    transaction_id = (
        frame["transaction_id"].astype("string")
        if "transaction_id" in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )
    scores = pd.DataFrame(
        {
            "row_number": frame["row_number"].to_numpy(dtype=np.int64),
            "transaction_id": transaction_id.to_numpy(),
            "risk_score": np.round(risk, 4) if risk is not None else np.full(n, np.nan),
            "isolation_forest_score": column("isolation_forest"),
            "random_forest_score": column("random_forest"),
            "dbscan_score": column("dbscan"),
            "rule_score": column("rule_score"),
            "reasons": pd.Series("", index=frame.index, dtype="string"),
            "reason_text": pd.Series("", index=frame.index, dtype="string"),
        }
    )
    scores["transaction_id"] = scores["transaction_id"].astype("string")
    if explanations is not None and len(explanations):
        scores.loc[explanations.index, "reasons"] = explanations["reasons"]
        scores.loc[explanations.index, "reason_text"] = explanations["reason_text"]
    return scores[list(SCORE_COLUMNS)]


def _validate(frame: pd.DataFrame, options: MLOptions) -> str | None:
    missing = [c for c in ("row_number", "posting_date", "amount") if c not in frame.columns]
    if missing:
        return f"missing required column(s): {', '.join(missing)}"
    if len(frame) < options.min_rows:
        return f"only {len(frame)} rows; the models need at least {options.min_rows}"
    return None


def run_ml_ensemble(
    transactions: pd.DataFrame, flags: pd.DataFrame | None = None, options: MLOptions | None = None
) -> MLOutcome:
    opts = options or MLOptions()
    frame = transactions.reset_index(drop=True)
    n = len(frame)
    summaries = [_timed_summary(m, flags, n) for m in ("duplicate_detection", "anomaly_detection")]
    problem = _validate(frame, opts)
    if problem is not None:
        skipped = [_skipped(m, problem, n) for m in LEARNED_MODELS]
        empty = (
            _score_frame(frame, {}, None, None)
            if "row_number" in frame.columns
            else pd.DataFrame(columns=list(SCORE_COLUMNS))
        )
        return MLOutcome(models=skipped + summaries, scores=empty)

    started = time.perf_counter()
    features = build_features(frame, flags, opts)
    matrix = features.matrix.to_numpy(dtype=np.float32)  # the tree models work in float32 anyway
    detector_matrix = features.matrix[features.detector_names].to_numpy(dtype=np.float32)
    row_numbers = frame["row_number"].to_numpy()
    association_sample = sample_rows(n, ASSOCIATION_ROWS, opts.seed + 2)
    feature_seconds = time.perf_counter() - started
    runs: dict[str, _ModelRun] = {}
    results: dict[str, ModelResult] = {}

    if detector_matrix.shape[1] == 0:
        reason = "no usable features (every feature was skipped)"
        models = [_skipped(m, reason, n) for m in LEARNED_MODELS]
        return MLOutcome(models=models + summaries, scores=_score_frame(frame, {}, None, None))

    t0 = time.perf_counter()
    isolation_scores, isolation_details = _isolation(detector_matrix, opts)
    isolation_cut = robust_cut(isolation_scores, OUTLIER_CUT_K)
    anomalous = isolation_scores >= isolation_cut
    result = _model_result(
        "isolation_forest",
        isolation_scores,
        anomalous,
        row_numbers,
        feature_association(detector_matrix, features.detector_names, isolation_scores, association_sample),
        {
            **isolation_details,
            "threshold": isolation_cut,
            "threshold_rule": f"median + {OUTLIER_CUT_K} robust SD of the scores",
        },
        {"contamination": round(float(anomalous.mean()), 6), "feature_seconds": round(feature_seconds, 3)},
        features.detector_names,
        features,
        opts,
    )
    runs["isolation_forest"] = _ModelRun("isolation_forest", isolation_scores, anomalous, _with_duration(result, t0))

    t0 = time.perf_counter()
    forest = _forest(matrix, features, frame, isolation_scores, opts)
    if isinstance(forest, str):
        results["random_forest"] = _skipped("random_forest", forest, n)
    else:
        anomalous = forest.scores >= forest.threshold
        result = _model_result(
            "random_forest",
            forest.scores,
            anomalous,
            row_numbers,
            forest.importances,
            {"mode": forest.mode, "threshold": forest.threshold, **forest.details},
            forest.metrics,
            list(forest.importances),
            features,
            opts,
        )
        runs["random_forest"] = _ModelRun("random_forest", forest.scores, anomalous, _with_duration(result, t0))

    t0 = time.perf_counter()
    dbscan_scores, eps, dbscan_details = _dbscan(detector_matrix, opts)
    anomalous = dbscan_scores > eps
    result = _model_result(
        "dbscan",
        dbscan_scores,
        anomalous,
        row_numbers,
        feature_association(detector_matrix, features.detector_names, dbscan_scores, association_sample),
        {**dbscan_details, "threshold": eps, "threshold_rule": "distance to the nearest core point above eps = noise"},
        {"noise_share": round(float(anomalous.mean()), 6)},
        features.detector_names,
        features,
        opts,
    )
    runs["dbscan"] = _ModelRun("dbscan", dbscan_scores, anomalous, _with_duration(result, t0))

    t0 = time.perf_counter()
    components = {name: run.scores for name, run in runs.items()}
    if features.rule_score is not None:
        components["rule_score"] = features.rule_score
    majority = _majority_anomalous(runs)
    ensemble = combine(components, opts.ensemble_weights, _high_risk_share(majority, opts))
    high_risk = np.flatnonzero(ensemble.risk >= ensemble.high_risk_threshold)
    explanations = explain_rows(features, frame, flags, high_risk, opts)
    results["ensemble"] = _with_duration(
        _ensemble_result(
            ensemble,
            runs,
            majority,
            high_risk,
            explanations,
            row_numbers,
            features,
            matrix,
            association_sample,
            opts,
        ),
        t0,
    )
    for name, run in runs.items():
        confidence = (
            run.result.model_metrics.get("average_precision")
            if (run.result.detailed_results.get("mode") == "supervised")
            else None
        )
        if confidence is None:
            # Both are ranks already, so their Pearson correlation is the Spearman correlation.
            confidence = max(0.0, _correlation(ensemble.normalised[name], ensemble.risk))
        results[name] = dataclasses.replace(run.result, confidence_score=round(float(confidence), 4))

    models = [results[m] for m in LEARNED_MODELS] + summaries
    return MLOutcome(models=models, scores=_score_frame(frame, ensemble.normalised, ensemble.risk, explanations))


def _majority_anomalous(runs: dict[str, _ModelRun]) -> np.ndarray:
    votes = np.sum([run.anomalous for run in runs.values()], axis=0)
    return votes > len(runs) / 2


def _high_risk_share(majority: np.ndarray, options: MLOptions) -> float:
    """The share of rows the ensemble calls high risk: the share a majority of the models call
    anomalous (each by a cut taken from its own scores), kept within the configured bounds so a
    clean file still names its top rows and a noisy one does not bury the reviewer."""
    share = float(majority.mean())
    return min(max(share, options.high_risk_share_min), options.high_risk_share_max)


def _ensemble_result(
    ensemble: EnsembleOutcome,
    runs: dict[str, _ModelRun],
    majority: np.ndarray,
    high_risk: np.ndarray,
    explanations: pd.DataFrame,
    row_numbers: np.ndarray,
    features: FeatureSet,
    matrix: np.ndarray,
    association_sample: np.ndarray,
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
    reason_counts = (
        explanations["reasons"].str.split(";").explode().str.strip().replace("", pd.NA).dropna().value_counts().head(15)
    )
    mode = runs["random_forest"].result.detailed_results["mode"] if "random_forest" in runs else "not_run"
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
            "random_forest_mode": mode,
            "features": features.names,
            "detector_features": features.detector_names,
            "skipped_features": features.skipped,
            "held_back_features": features.held_back,
            "reason_counts": {str(k): int(v) for k, v in reason_counts.items()},
            "top_rows": top,
            "risk_score_definition": "percentage of rows a majority of the models call anomalous",
            "options": {k: v for k, v in options.as_dict().items() if not isinstance(v, dict)},
        },
        model_metrics={
            **ensemble.agreement,
            "majority_anomalous_rows": int(majority.sum()),
            "models_combined": len(ensemble.weights_used),
        },
        feature_importance=feature_association(matrix, features.names, ensemble.risk, association_sample),
        data_size=int(len(ensemble.risk)),
        model_version=MODEL_VERSION,
    )

"""The ML stage: features, the ensemble's detectors and their combination, in one call.

File-level figures, the same for every model: ``risk_score`` is the percentage of the file's rows
the model calls anomalous (for the ensemble: rows that a majority of the models call anomalous);
``anomalies_detected`` counts those rows (for the ensemble: rows at or above the high-risk
threshold, which is taken from the data). ``confidence_score`` (0-1) is how well the model's
ranking agrees with the ensemble (Spearman); for the supervised forest it is the cross-validated
average precision, for the ensemble the models' mutual agreement on the top rows.

A file the models cannot learn from (too few rows, a required column missing, no usable feature)
gets the learned models SKIPPED with the reason, and its risk scores and reasons from the rule
findings alone (see rules_only).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import SCORE_COLUMNS, ModelResult
from fintrace_pipeline.ml import rules_only
from fintrace_pipeline.ml.density import DbscanDetector
from fintrace_pipeline.ml.detectors import Detector, Evidence, NotEnoughToLearn, feature_association, sample_rows
from fintrace_pipeline.ml.ensemble import RULE_SCORE, combine, high_risk_share, majority_anomalous
from fintrace_pipeline.ml.explain import explain_rows
from fintrace_pipeline.ml.features import build_features
from fintrace_pipeline.ml.forest import SupervisedForest, WeaklySupervisedForest, usable_labels
from fintrace_pipeline.ml.history_forest import HISTORY_WEIGHTS, HistoryForest, LearnedModel, with_history_reasons
from fintrace_pipeline.ml.isolation import IsolationForestDetector
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.ml.results import detector_result, ensemble_result, score_frame, skipped_result, with_duration
from fintrace_pipeline.ml.rule_summary import summarise_stage

RULE_STAGE_MODELS = ("duplicate_detection", "anomaly_detection")
ENSEMBLE = "ensemble"
ASSOCIATION_ROWS = 20_000


@dataclass
class MLOutcome:
    models: list[ModelResult]
    scores: pd.DataFrame  # findings.SCORE_COLUMNS, one row per transaction


@dataclass
class _Fitted:
    scores: np.ndarray
    anomalous: np.ndarray  # bool per row
    confidence: float | None
    result: ModelResult


def ensemble_members(labelled: bool, options: MLOptions, learned: LearnedModel | None = None) -> list[Detector]:
    """The detectors of the ensemble, in the order they run: the weakly supervised forest learns
    from the isolation forest's scores. ``labelled``: the file carries usable reviewer labels;
    ``learned``: the source's risk model, which the forest then is."""
    if learned is not None:
        forest: Detector = HistoryForest(options, learned)
    else:
        forest = SupervisedForest(options) if labelled else WeaklySupervisedForest(options)
    return [IsolationForestDetector(options), forest, DbscanDetector(options)]


def _timed_summary(model_type: str, flags: pd.DataFrame | None, n_rows: int) -> ModelResult:
    started = time.perf_counter()
    return with_duration(summarise_stage(model_type, flags, n_rows), started)


def _too_little_to_learn(frame: pd.DataFrame, options: MLOptions) -> str | None:
    missing = [c for c in ("row_number", "posting_date", "amount") if c not in frame.columns]
    if missing:
        return f"missing required column(s): {', '.join(missing)}"
    if len(frame) == 0:
        return "no rows were loaded, so there is nothing to learn from"
    if len(frame) < options.min_rows:
        rows = "1 row" if len(frame) == 1 else f"{len(frame)} rows"
        return f"only {rows}: too few for the models to learn what is usual (they need at least {options.min_rows})"
    return None


def _fit(detector: Detector, evidence: Evidence, row_numbers: np.ndarray, sample: np.ndarray) -> _Fitted | str:
    """The detector fitted and scored on the file, or why it could not learn."""
    started = time.perf_counter()
    try:
        data = detector.learning_data(evidence)
    except NotEnoughToLearn as reason:
        return str(reason)
    scores = detector.fit_score(data.features, data.labels)
    report = detector.report(data, scores)
    importance = report.importance
    if importance is None:
        importance = feature_association(data.features, data.names, scores, sample)
    result = detector_result(
        detector.model_type, data, scores, report, importance, evidence.features, row_numbers, detector.options
    )
    return _Fitted(scores, report.anomalous, report.confidence, with_duration(result, started))


def run_ml_ensemble(
    transactions: pd.DataFrame,
    flags: pd.DataFrame | None = None,
    options: MLOptions | None = None,
    learned: LearnedModel | None = None,
) -> MLOutcome:
    """``learned``: the source's risk model with the file's history features (rows in this order)."""
    opts = options or MLOptions()
    frame = transactions.reset_index(drop=True)
    n = len(frame)
    summaries = [_timed_summary(m, flags, n) for m in RULE_STAGE_MODELS]
    problem = _too_little_to_learn(frame, opts)
    if problem is not None:
        return _from_rules_only(frame, flags, problem, opts, summaries)

    started = time.perf_counter()
    features = build_features(frame, flags, opts)
    if not features.detector_names:
        return _from_rules_only(frame, flags, "no usable features (every feature was skipped)", opts, summaries)
    evidence = Evidence.of(features, usable_labels(frame, opts))
    row_numbers = frame["row_number"].to_numpy()
    association_sample = sample_rows(n, ASSOCIATION_ROWS, opts.seed + 2)
    feature_seconds = time.perf_counter() - started

    members = ensemble_members(evidence.labels is not None, opts, learned)
    fitted: dict[str, _Fitted] = {}
    results: dict[str, ModelResult] = {}
    for detector in members:
        outcome = _fit(detector, evidence, row_numbers, association_sample)
        if isinstance(outcome, str):
            results[detector.model_type] = skipped_result(detector.model_type, outcome, n)
        else:
            fitted[detector.model_type] = outcome
            evidence.scores[detector.model_type] = outcome.scores

    started = time.perf_counter()
    components = dict(evidence.scores)
    if features.rule_score is not None:
        components[RULE_SCORE] = features.rule_score
    majority = majority_anomalous([f.anomalous for f in fitted.values()])
    learning = learned is not None and "random_forest" in fitted
    weights = HISTORY_WEIGHTS if learning else opts.ensemble_weights
    ensemble = combine(components, weights, high_risk_share(majority, opts))
    high_risk = np.flatnonzero(ensemble.risk >= ensemble.high_risk_threshold)
    explanations = explain_rows(features, frame, flags, high_risk, opts)
    if learning:
        explanations = with_history_reasons(explanations, learned, frame, high_risk)
    forest = fitted.get("random_forest")
    forest_mode = forest.result.detailed_results["mode"] if forest else "not_run"
    ensemble_model = ensemble_result(
        ensemble,
        forest_mode,
        majority,
        high_risk,
        explanations,
        row_numbers,
        features,
        evidence.matrix,
        association_sample,
        {"feature_seconds": round(feature_seconds, 3)},
        opts,
    )
    results[ENSEMBLE] = with_duration(ensemble_model, started)
    if learning:
        # Both name the risk model version they were scored with.
        results[ENSEMBLE] = dataclasses.replace(results[ENSEMBLE], model_version=learned.version)
        forest = fitted["random_forest"]
        forest.result = dataclasses.replace(forest.result, model_version=learned.version)
    for name, model in fitted.items():
        confidence = model.confidence
        if confidence is None:
            # Both are ranks already, so their Pearson correlation is the Spearman correlation.
            confidence = max(0.0, _correlation(ensemble.normalised[name], ensemble.risk))
        results[name] = dataclasses.replace(model.result, confidence_score=round(float(confidence), 4))

    models = [results[d.model_type] for d in members] + [results[ENSEMBLE]] + summaries
    return MLOutcome(models=models, scores=score_frame(frame, ensemble.normalised, ensemble.risk, explanations))


def _correlation(first: np.ndarray, second: np.ndarray) -> float:
    value = float(np.corrcoef(first, second)[0, 1])
    return 0.0 if np.isnan(value) else value


def _from_rules_only(
    frame: pd.DataFrame, flags: pd.DataFrame | None, reason: str, options: MLOptions, summaries: list[ModelResult]
) -> MLOutcome:
    """Every learned model SKIPPED with ``reason``; each row scored from its rule findings."""
    n = len(frame)
    learned = [d.model_type for d in ensemble_members(False, options)]
    models = [skipped_result(m, reason, n) for m in learned]
    if "row_number" not in frame.columns:
        models.append(skipped_result(ENSEMBLE, reason, n))
        return MLOutcome(models=models + summaries, scores=pd.DataFrame(columns=list(SCORE_COLUMNS)))
    fallback = rules_only.rule_only_scores(frame, flags, options)
    how = {"scores_from": rules_only.DEFINITION, "rows_with_findings": fallback.flagged_rows}
    models.append(skipped_result(ENSEMBLE, reason, n, how))
    scores = score_frame(frame, fallback.normalised, fallback.risk, fallback.explanations)
    return MLOutcome(models=models + summaries, scores=scores)

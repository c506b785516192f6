"""The last per-file asset: the ML ensemble scores every transaction and stores each model's result."""

import importlib
import time
from concurrent.futures import ThreadPoolExecutor

from dagster import AssetExecutionContext, MetadataValue, asset

from fintrace_pipeline.findings import COMPLETED
from fintrace_pipeline.orchestration.assets.analytics import anomaly_detection, duplicate_analysis
from fintrace_pipeline.orchestration.loading import load_file_transactions, load_job_flags
from fintrace_pipeline.orchestration.metadata import markdown_table
from fintrace_pipeline.orchestration.partitions import data_file_partitions
from fintrace_pipeline.orchestration.resources import ResultsDatabase
from fintrace_pipeline.orchestration.step import StepContext, StepOutput, run_step
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver


def ml_step(step: StepContext) -> StepOutput:
    # Imported when the step runs: scikit-learn takes a second or two to import, which every process
    # that loads the definitions (webserver, daemon, run worker, step server) would pay otherwise.
    # The import runs beside the reading of the file's rows and findings, which mostly wait on I/O.
    with ThreadPoolExecutor(max_workers=1) as importer:
        ml_package = importer.submit(importlib.import_module, "fintrace_pipeline.ml")
        transactions = load_file_transactions(step)
        # Low-severity findings (weekend, after-hours, Benford digits) are context for a reviewer,
        # not evidence: on payment data they cover most rows and drown the models' signal.
        flags = load_job_flags(step, exclude_severities=("low",))
        run_ml_ensemble = ml_package.result().run_ml_ensemble
    started = time.perf_counter()
    outcome = run_ml_ensemble(transactions, flags)
    elapsed = round(time.perf_counter() - started, 3)
    saver = AnalyticsDBSaver(step.job, step.engine)
    for model in outcome.models:
        if model.processing_duration is None:
            model.processing_duration = elapsed
        scores = outcome.scores if model.model_type == "ensemble" else None
        saver.save_ml_processing_result(model, model.model_type, scores=scores)
    by_type = {m.model_type: m for m in outcome.models}
    ensemble = by_type.get("ensemble")
    details = {m.model_type: {"status": m.status, "anomalies_detected": m.anomalies_detected} for m in outcome.models}
    top = outcome.scores.sort_values("risk_score", ascending=False)[["row_number", "risk_score", "reason_text"]]
    metadata = {
        "models": MetadataValue.json(details),
        "high_risk_rows": ensemble.anomalies_detected if ensemble else None,
        "confidence": ensemble.confidence_score if ensemble else None,
        "highest_risk": markdown_table(top),
    }
    return StepOutput(COMPLETED, details, {k: v for k, v in metadata.items() if v is not None})


@asset(
    # The models read the rule stages' findings; the other two analytics steps run beside them.
    deps=[duplicate_analysis, anomaly_detection],
    partitions_def=data_file_partitions,
    group_name="fintrace",
    description="Isolation forest, random forest, DBSCAN and their ensemble: a 0-100 risk score with "
    "reasons for every transaction.",
)
def ml_ensemble(context: AssetExecutionContext, results_db: ResultsDatabase):
    return run_step(context, results_db.get_engine(), "ml_ensemble", ml_step)

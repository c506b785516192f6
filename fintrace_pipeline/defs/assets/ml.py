"""The last per-file asset: the ML ensemble scores every transaction and stores each model's result;
where the file has journal-entry numbers, every entry is scored from its lines as well."""

import importlib
from concurrent.futures import ThreadPoolExecutor

from dagster import MetadataValue

from fintrace_pipeline.defs.loading import load_file_transactions, load_job_flags
from fintrace_pipeline.defs.metadata import markdown_table
from fintrace_pipeline.defs.step import StepContext, StepOutput, stage_asset
from fintrace_pipeline.findings import COMPLETED
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.stages import STAGE_BY_NAME, STAGES


def run_started(step: StepContext):
    """When the file's run started: verdicts recorded before it are the ones its scores know."""
    with step.engine.connect() as connection:
        job = jobs.get_job(connection, step.job.id)
    return job.started_at or job.created_at


def ml_step(step: StepContext) -> StepOutput:
    # Imported when the step runs: scikit-learn takes a second or two to import, which every process
    # that loads the definitions (webserver, daemon, run worker, step server) would pay otherwise.
    # The import runs beside the reading of the file's rows and findings, which mostly wait on I/O.
    with ThreadPoolExecutor(max_workers=1) as importer:
        ml_package = importer.submit(importlib.import_module, "fintrace_pipeline.ml")
        transactions = load_file_transactions(step)
        flags = load_job_flags(step)
        ml = ml_package.result()
    # The source's risk model, trained first if verdicts were recorded since it was.
    learning = importlib.import_module("fintrace_pipeline.learning.scoring").prepare(
        step.engine, step.settings.shared_root, step.data_file, transactions, run_started(step)
    )
    # Low-severity findings (weekend, after-hours, Benford digits) are context for a reviewer,
    # not evidence for the models: on payment data they cover most rows and drown the models' signal.
    # An entry's score weighs them itself, capped.
    outcome = ml.run_ml_ensemble(
        transactions, flags[flags["severity"] != "low"].reset_index(drop=True), learned=learning.learned
    )
    saver = step.saver()
    for model in outcome.models:
        scores = outcome.scores if model.model_type == "ensemble" else None
        saver.save_ml_processing_result(model, model.model_type, scores=scores)
    entries = ml.score_entries(transactions, flags, outcome.scores)
    saver.save_entry_scores(entries)
    by_type = {m.model_type: m for m in outcome.models}
    ensemble = by_type.get("ensemble")
    details = {m.model_type: {"status": m.status, "anomalies_detected": m.anomalies_detected} for m in outcome.models}
    top = outcome.scores.sort_values("risk_score", ascending=False)[["row_number", "risk_score", "reason_text"]]
    metadata = {
        "models": MetadataValue.json(details),
        "high_risk_rows": ensemble.anomalies_detected if ensemble else None,
        "confidence": ensemble.confidence_score if ensemble else None,
        "highest_risk": markdown_table(top),
        "entries": len(entries) if entries is not None else None,
        "risk_model": learning.note,
        "highest_risk_entries": (
            markdown_table(entries[["je_number", "line_count", "risk_score", "reason_text"]])
            if entries is not None
            else None
        ),
    }
    return StepOutput(COMPLETED, details, {k: v for k, v in metadata.items() if v is not None})


ml_ensemble = stage_asset(
    STAGE_BY_NAME["ml_ensemble"],
    ml_step,
    # The models read the findings of the stages that feed them; the others run beside them.
    deps=[stage.name for stage in STAGES if stage.feeds_ml],
)

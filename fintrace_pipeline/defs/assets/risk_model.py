"""The per-source risk model: trained on the verdicts of the source's files so far, one partition per
source, materialized again whenever the source's verdicts change (see sensors/verdicts.py)."""

import importlib

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, ResourceParam, asset

from fintrace_pipeline.defs.partitions import LEARNING_GROUP, source_partitions
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.stages import OWNERS

TOP_FEATURES = 10


def version_metadata(version) -> dict:
    """What the Dagster UI shows of a stored model version."""
    # Sorted here: a JSONB column keeps no key order.
    importance = sorted((version.feature_importance or {}).items(), key=lambda item: -item[1])[:TOP_FEATURES]
    table = "| feature | importance |\n| --- | --- |\n" + "\n".join(f"| {n} | {v:.4f} |" for n, v in importance)
    return {
        "version": version.version,
        "training_rows": version.training_rows,
        "positives": version.positives,
        "average_precision": MetadataValue.float(float(version.average_precision or 0.0)),
        "precision_at_k": MetadataValue.float(float(version.precision_at_k or 0.0)),
        "verdicts_until": version.verdicts_until.isoformat(),
        "model_path": MetadataValue.path(version.model_path),
        "features": len(version.features),
        "feature_importance": MetadataValue.md(table),
    }


@asset(
    name="risk_model",
    partitions_def=source_partitions,
    group_name=LEARNING_GROUP,
    owners=list(OWNERS),
    kinds={"scikit-learn"},
    description=(
        "A source's risk model: a class-weighted random forest trained on its reviewed rows (newest "
        "verdict confirmed or cleared), with today's features and history features across its files."
    ),
)
def risk_model(
    context: AssetExecutionContext, results_db: ResultsDatabase, settings: ResourceParam[Settings]
) -> MaterializeResult:
    # Imported when it runs: scikit-learn is slow to import for every process loading the definitions.
    training = importlib.import_module("fintrace_pipeline.learning.training")
    outcome = training.train_source_model(results_db.get_engine(), settings.shared_root, context.partition_key)
    if outcome.version is None:
        context.log.info(f"No new model for {context.partition_key!r}: {outcome.reason}")
        return MaterializeResult(metadata={"status": "SKIPPED", "reason": outcome.reason})
    return MaterializeResult(
        metadata={
            "status": "COMPLETED",
            **version_metadata(outcome.version),
            "seconds": MetadataValue.json(outcome.seconds),
        }
    )

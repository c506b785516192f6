"""The verdicts sensor: a source whose verdicts changed since its risk model was trained gets its
partition (on first sight) and one run of the risk_model asset for its newest verdict."""

from dagster import (
    AssetSelection,
    DefaultSensorStatus,
    Definitions,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    define_asset_job,
    sensor,
)

from fintrace_pipeline.defs.partitions import source_partitions
from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.persistence import risk_models

INTERVAL_SECONDS = 30

train_risk_model_job = define_asset_job(
    "train_risk_model",
    selection=AssetSelection.assets("risk_model"),
    partitions_def=source_partitions,
    description="Trains one source's risk model on its verdicts so far (one partition per source).",
)


def stale_sources(engine) -> dict[str, str]:
    """Source -> its newest verdict time (ISO), for each source whose model has not learned it."""
    with engine.connect() as connection:
        newest = risk_models.newest_verdicts_by_source(connection)
        models = {source: risk_models.newest_model(connection, source) for source in newest}
    return {
        source: at.isoformat()
        for source, at in newest.items()
        if models[source] is None or models[source].verdicts_until < at
    }


@sensor(
    job=train_risk_model_job,
    minimum_interval_seconds=INTERVAL_SECONDS,
    default_status=DefaultSensorStatus.RUNNING,
    description="Trains a source's risk model again when verdicts were recorded since it was trained.",
)
def verdicts_sensor(context: SensorEvaluationContext, results_db: ResultsDatabase):
    stale = stale_sources(results_db.get_engine())
    if not stale:
        return SkipReason("every source's risk model knows its newest verdict")
    known = set(context.instance.get_dynamic_partitions(source_partitions.name))
    new = sorted(set(stale) - known)
    return SensorResult(
        # One run per source and newest verdict: a tick during a run asks for nothing new.
        run_requests=[RunRequest(partition_key=s, run_key=f"{s}@{at}") for s, at in sorted(stale.items())],
        dynamic_partitions_requests=[source_partitions.build_add_request(new)] if new else [],
    )


defs = Definitions(jobs=[train_risk_model_job], sensors=[verdicts_sensor])

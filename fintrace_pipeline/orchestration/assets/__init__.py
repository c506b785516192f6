from fintrace_pipeline.orchestration.assets.analytics import (
    anomaly_detection,
    comprehensive_expense,
    default_analytics,
    duplicate_analysis,
)
from fintrace_pipeline.orchestration.assets.ingest import ingest
from fintrace_pipeline.orchestration.assets.ml import ml_ensemble

PER_FILE_ASSETS = [
    ingest,
    default_analytics,
    comprehensive_expense,
    duplicate_analysis,
    anomaly_detection,
    ml_ensemble,
]

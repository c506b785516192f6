"""The anomaly_detection stage: rule checks and statistics (incl. Benford) over the canonical frame."""

from fintrace_pipeline.analytics.rules.analysis import run_anomaly_detection
from fintrace_pipeline.analytics.rules.options import AnomalyDetectionOptions

__all__ = ["AnomalyDetectionOptions", "run_anomaly_detection"]

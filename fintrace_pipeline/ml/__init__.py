from fintrace_pipeline.ml.entries import score_entries
from fintrace_pipeline.ml.run import MLOutcome, run_ml_ensemble

__all__ = ["MLOutcome", "run_ml_ensemble", "score_entries"]

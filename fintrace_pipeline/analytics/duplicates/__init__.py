"""The duplicate_analysis stage: duplicate-payment tests over the canonical frame."""

from fintrace_pipeline.analytics.duplicates.analysis import DuplicateAnalysisOptions, run_duplicate_analysis

__all__ = ["DuplicateAnalysisOptions", "run_duplicate_analysis"]

"""The duplicate_analysis stage: duplicate-payment tests over the canonical frame."""

from fintrace_pipeline.analytics.duplicates.analysis import run_duplicate_analysis
from fintrace_pipeline.analytics.duplicates.options import DuplicateAnalysisOptions

__all__ = ["DuplicateAnalysisOptions", "run_duplicate_analysis"]

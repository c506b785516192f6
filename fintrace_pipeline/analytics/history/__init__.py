"""The period_comparison stage: each file against the earlier files of its source."""

from fintrace_pipeline.analytics.history.analysis import run_history_comparison
from fintrace_pipeline.analytics.history.contribution import Contribution, file_contribution
from fintrace_pipeline.analytics.history.history import History
from fintrace_pipeline.analytics.history.options import HistoryOptions

__all__ = ["Contribution", "History", "HistoryOptions", "file_contribution", "run_history_comparison"]

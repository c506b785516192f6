"""The summary stages: default_analytics (what is in the ledger) and comprehensive_expense (where the
money is spent)."""

from fintrace_pipeline.analytics.summaries.default import DefaultAnalyticsOptions, run_default_analytics
from fintrace_pipeline.analytics.summaries.expense import ExpenseOptions, run_comprehensive_expense

__all__ = ["DefaultAnalyticsOptions", "ExpenseOptions", "run_comprehensive_expense", "run_default_analytics"]

"""FinTrace: ledger and payment exports in, stored and explainable risk findings out."""

__version__ = "0.1.0"

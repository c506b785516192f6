"""What a column's values look like, judged on a bounded sample of its cells.

The header proposes what a column is; its content checks the proposal (a date column must hold
dates, an amount column amounts) and breaks ties between close candidates (the finest organisational
unit, the account code with many values rather than a type column with a handful).
"""

from __future__ import annotations

import math
from functools import cached_property

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest import debit_credit
from fintrace_pipeline.ingest.dates import parses_as_dates
from fintrace_pipeline.ingest.header_rules import TRANSACTION_TYPES
from fintrace_pipeline.ingest.values import contains, fullmatch, parse_amounts

MIN_DATE_SHARE = 0.6
MIN_AMOUNT_SHARE = 0.8
MIN_CURRENCY_SHARE = 0.8
MIN_TYPE_SHARE = 0.3
MIN_INVOICE_SHARE = 0.5
MAX_CODE_SHARE = 0.9  # a description column of short single tokens ("VR", "VZ", "6.65%") holds codes
CONSTANT_AFTER = 20  # a column with one value over this many rows is constant
# Words transaction- and journal-type values are made of ("Check", "General Journal", "Gutschrift").
TRANSACTION_TYPE_WORDS = (
    r"check|cheque|deposit|invoice|bill|payment|journal|transfer|receipt|refund|credit|debit|memo|note|"
    r"expense|sale|purchase|adjust|reversal|accrual|payroll|charge|fee|withdrawal|card|order|voucher|"
    r"rechnung|zahlung|gutschrift|lastschrift|uberweisung|ueberweisung|buchung|facture|paiement|virement|"
    r"avoir|factura|pago|transferencia|fatura|pagamento|fattura|bonifico|factuur|betaling|overboeking"
)
DATE_COLUMNS = ("posting_date", "entry_date", "document_date")
MONEY_COLUMNS = ("amount", "debit", "credit")
FINE_GRAINED = ("account", "cost_center")  # more distinct values: the better candidate
# Columns that are never one value throughout a file ("Body Name" = the council itself is no vendor).
# A user, a currency or a source may well be the same on every row.
CONSTANT_MATTERS = ("transaction_id", "account", "account_name", "vendor", "invoice_number", "cost_center")


class ColumnProfile:
    def __init__(self, sample: pd.Series):
        """``sample``: the column's cleaned cells (empty and placeholder cells as NA)."""
        self.total = len(sample)
        self.present = sample.dropna()
        self.filled = len(self.present)

    @cached_property
    def distinct(self) -> int:
        return int(self.present.nunique())

    @cached_property
    def date_share(self) -> float:
        return _share(parses_as_dates(self.present)) if self.filled else 0.0

    @cached_property
    def amount_share(self) -> float:
        return _share(parse_amounts(self.present).values.notna().to_numpy()) if self.filled else 0.0

    @cached_property
    def currency_share(self) -> float:
        return _share(fullmatch(self.present.str.strip(), r"[A-Za-z]{3}|[$€£¥₹]")) if self.filled else 0.0

    @cached_property
    def numeric_share(self) -> float:
        return _share(fullmatch(self.present, r"[\d\s.,/#-]+")) if self.filled else 0.0

    @cached_property
    def code_share(self) -> float:
        """Values that are one short token ("VR", "A12"), as codes are and free text is not."""
        return _share(fullmatch(self.present, r"\S{1,5}")) if self.filled else 0.0

    @cached_property
    def invoice_share(self) -> float:
        """Values that name an invoice ("INV-00123", "CRINV0000021")."""
        return _share(contains(self.present, r"(?i)inv")) if self.filled else 0.0

    def passes(self, canonical: str, needs: str | None = None) -> bool:
        """Whether the content agrees that this column can be ``canonical``."""
        if not self.filled:
            return False
        if needs == TRANSACTION_TYPES and self._type_share() < MIN_TYPE_SHARE:
            return False
        if canonical in DATE_COLUMNS:
            return self.date_share >= MIN_DATE_SHARE
        if canonical in MONEY_COLUMNS:
            return self.amount_share >= MIN_AMOUNT_SHARE and self.date_share < 0.5
        if canonical == "currency":
            return self.currency_share >= MIN_CURRENCY_SHARE
        if canonical == "debit_credit_indicator":
            return debit_credit.looks_like_indicator(self.present)
        if canonical == "description":
            return self.code_share < MAX_CODE_SHARE
        return True

    def fit(self, canonical: str) -> float:
        """How much of the content fits ``canonical`` (1.0 for free text)."""
        if canonical in DATE_COLUMNS:
            return self.date_share
        if canonical in MONEY_COLUMNS:
            return self.amount_share
        if canonical == "currency":
            return self.currency_share
        return 1.0

    def preference(self, canonical: str) -> float:
        """From 0 to 1: which of two close candidates the content prefers."""
        if canonical in FINE_GRAINED:
            return 0.0 if self.distinct <= 1 else min(1.0, math.log10(self.distinct) / 3)
        if canonical == "transaction_id":
            return self.distinct / self.filled if self.filled else 0.0
        if canonical == "vendor":
            return 1.0 - self.numeric_share
        if canonical == "description":
            return min(1.0, float(self.present.str.len().mean()) / 40) if self.filled else 0.0
        return self.filled / self.total if self.total else 0.0

    def is_constant(self) -> bool:
        return self.filled >= CONSTANT_AFTER and self.distinct == 1

    def _type_share(self) -> float:
        distinct = self.present.drop_duplicates()
        return _share(contains(distinct, rf"(?i)(?:{TRANSACTION_TYPE_WORDS})")) if len(distinct) else 0.0


def _share(mask: np.ndarray) -> float:
    return float(np.mean(mask)) if len(mask) else 0.0

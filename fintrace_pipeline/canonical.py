"""The canonical transaction table every analysis reads (the output of ingest).

A canonical frame has one row per loaded source row and these columns, with these dtypes:

- ``row_number`` (int64): 1-based data row of the source file; the key findings join back on.
- ``posting_date`` (datetime64[ns], never NaT) and ``amount`` (float64, rounded to cents, signed:
  debit positive, credit negative) are always present.
- ``entry_date`` and ``document_date`` (the invoice or document date; datetime64[ns], may hold NaT)
  when the file has them.
- The text columns below (pandas string dtype, missing values as NA) only when the file has them:
  a column the file lacks is absent from the frame, never filled with blanks.
- ``label`` (Int64, 1 = known anomaly) only when the user maps a label column; unsupervised
  analyses must never read it.
"""

from __future__ import annotations

REQUIRED = ("posting_date", "amount")
TEXT_COLUMNS = (
    "transaction_id",
    "je_number",
    "account",
    "account_name",
    "user",
    "approver",
    "vendor",
    "invoice_number",
    "description",
    "cost_center",
    "currency",
    "source",
)
DATE_COLUMNS = ("posting_date", "entry_date", "document_date")
OPTIONAL = ("entry_date", "document_date", *TEXT_COLUMNS, "label")
ALL_COLUMNS = ("row_number", *REQUIRED, *OPTIONAL)
# Source columns ingest folds into ``amount``: separate debit and credit columns, or an unsigned amount
# whose sign sits in a debit/credit indicator column (S/H, D/C, DR/CR).
AMOUNT_PARTS = ("debit", "credit", "debit_credit_indicator")
# Mapping targets a user may name.
MAPPABLE = (*REQUIRED, *OPTIONAL, *AMOUNT_PARTS)


def canonical_columns(column_mapping: dict[str, str]) -> list[str]:
    """Canonical columns present for a file: what ingest mapped, with the amount's parts folded into amount."""
    mapped = {("amount" if c in AMOUNT_PARTS else c) for c in column_mapping}
    return ["row_number", *sorted(mapped | {"posting_date", "amount"})]

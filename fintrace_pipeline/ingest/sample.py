"""The bounded sample of a table's rows that header and content inference look at.

Rows are taken evenly over the whole file, so a block of odd rows at its start (legacy rows before a
system change, a title block) does not decide alone; inference costs the same for any file size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest import values
from fintrace_pipeline.ingest.placeholders import MissingValues
from fintrace_pipeline.ingest.raw_table import RawTable

SAMPLE_ROWS = 2_000


def inference_sample(table: RawTable, placeholders: MissingValues, size: int = SAMPLE_ROWS) -> pd.DataFrame:
    """Up to ``size`` rows of the table, each cell cleaned (empty and placeholder cells as NA)."""
    count = len(table.cells)
    positions = np.unique(np.linspace(0, count - 1, num=min(count, size)).astype(np.int64)) if count else []
    rows = table.cells.iloc[positions].reset_index(drop=True)
    return pd.DataFrame({h: placeholders.blank(values.clean_text(rows[h])) for h in table.headers})

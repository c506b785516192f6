"""The earlier files of a source as the comparison reads them: plain frames, filled by the persistence
layer from the per-file aggregates (or built directly in tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from fintrace_pipeline.analytics.history.contribution import DOCUMENT_COLUMNS, MONTHLY_COLUMNS

FILE_COLUMNS = ("data_file_id", "file_name", "period_start", "period_end", "rows")
EARLIER_DOCUMENT_COLUMNS = (*DOCUMENT_COLUMNS, "data_file_id", "file_name")


def _empty(columns) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns))


@dataclass(frozen=True)
class History:
    """``files``: the earlier files (FILE_COLUMNS); ``monthly``: their MONTHLY_COLUMNS rows summed per
    (kind, key, month); ``documents``: their indexed vendor documents (EARLIER_DOCUMENT_COLUMNS), at least
    those sharing a match key with the file compared."""

    source: str = "default"
    files: pd.DataFrame = field(default_factory=lambda: _empty(FILE_COLUMNS))
    monthly: pd.DataFrame = field(default_factory=lambda: _empty(MONTHLY_COLUMNS))
    documents: pd.DataFrame = field(default_factory=lambda: _empty(EARLIER_DOCUMENT_COLUMNS))

    @property
    def empty(self) -> bool:
        return len(self.files) == 0

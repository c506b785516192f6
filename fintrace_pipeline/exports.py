"""A DataFrame as a CSV or XLSX download, safe to open in a spreadsheet.

Text cells that a spreadsheet would evaluate as a formula (leading ``=``, ``+``, ``-``, ``@``, tab or
carriage return) get a leading single quote, so a crafted vendor name or description cannot run
anything on the auditor's machine. Numbers stay numbers: only text cells are touched.
"""

from __future__ import annotations

import io

import pandas as pd

from fintrace_pipeline.export_kinds import CSV, XLSX

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CHUNK_ROWS = 50_000
# An xlsx sheet holds 1,048,576 rows; the header takes one.
XLSX_MAX_DATA_ROWS = 1_048_575
MEDIA_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _neutralise_text(series: pd.Series) -> pd.Series:
    if isinstance(series.dtype, pd.StringDtype):
        is_text = series.notna()
    else:
        # object columns may mix text with numbers or None: only the text cells are at risk.
        is_text = series.map(lambda v: isinstance(v, str)).astype(bool)
    if not is_text.any():
        return series
    text = series[is_text].astype(str)
    risky = text.str.startswith(FORMULA_PREFIXES)
    if not risky.any():
        return series
    out = series.astype(object)
    out.loc[risky[risky].index] = "'" + text[risky]
    return out


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells can no longer be read as spreadsheet formulas."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
            continue
        out[name] = _neutralise_text(column)
    # Header names are text cells too.
    out.columns = [f"'{c}" if str(c).startswith(FORMULA_PREFIXES) else str(c) for c in out.columns]
    return out


def csv_part(frame: pd.DataFrame, *, header: bool) -> bytes:
    """One piece of a CSV download: ``frame``'s rows, neutralised, with the header line when asked."""
    return neutralise_formulas(frame).to_csv(index=False, header=header).encode("utf-8")


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    return csv_part(frame, header=True)


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "export") -> bytes:
    safe = neutralise_formulas(frame)
    # Excel has no time zones; naive timestamps keep the wall-clock value.
    for name in safe.columns:
        if isinstance(safe[name].dtype, pd.DatetimeTZDtype):
            safe[name] = safe[name].dt.tz_localize(None)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_name[:31])
    return buffer.getvalue()

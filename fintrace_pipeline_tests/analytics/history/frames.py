"""Earlier files as the persistence layer hands them to the comparison, built from their frames."""

from __future__ import annotations

import pandas as pd

from fintrace_pipeline.analytics.history import History, file_contribution


def numbered(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.reset_index(drop=True).copy()
    out.insert(0, "row_number", range(1, len(out) + 1))
    out["posting_date"] = pd.to_datetime(out["posting_date"])
    return out


def history_of(frames: list[pd.DataFrame], source: str = "acme") -> History:
    """The History of earlier files ``frames`` (named m1.csv, m2.csv, ...), summed as load_history sums."""
    contributions = [file_contribution(f) for f in frames]
    monthly = (
        pd.concat([c.monthly for c in contributions])
        .groupby(["kind", "key", "month"], as_index=False)
        .agg(
            rows=("rows", "sum"),
            total=("total", "sum"),
            first_date=("first_date", "min"),
            last_date=("last_date", "max"),
        )
    )
    documents = pd.concat(
        [c.documents.assign(data_file_id=f"f{i + 1}", file_name=f"m{i + 1}.csv") for i, c in enumerate(contributions)],
        ignore_index=True,
    )
    files = pd.DataFrame(
        [
            {
                "data_file_id": f"f{i + 1}",
                "file_name": f"m{i + 1}.csv",
                "period_start": c.period_start,
                "period_end": c.period_end,
                "rows": c.rows,
            }
            for i, c in enumerate(contributions)
        ]
    )
    return History(source, files, monthly, documents)

"""Who posts what: per-user volume, typical amounts, accounts touched, weekend and after-hours share."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.summaries.common import ranked, ratio, top_n_with_other
from fintrace_pipeline.analytics.working_time import WEEKDAY_NAMES, WorkingTime

# The columns of a user's line in the section and in the users sheet.
USER_COLUMNS = (
    "user",
    "lines",
    "volume",
    "mean_amount",
    "median_amount",
    "accounts_touched",
    "weekend_share",
    "after_hours_share",
    "first_posting",
    "last_posting",
)


def user_activity(
    users: pd.Series,
    accounts: pd.Series | None,
    posting_date: pd.Series,
    volume: np.ndarray,
    weekend: np.ndarray,
    after_hours: np.ndarray | None,
) -> pd.DataFrame:
    """One row per user (indexed by the user key), ranked by volume, largest first. ``after_hours`` is
    1.0, 0.0 or NaN (time unknown) per line, so shares are taken over the known times only."""
    work = pd.DataFrame(
        {
            "user": users,
            "volume": volume,
            "weekend": weekend.astype("float64"),
            "after_hours": np.nan if after_hours is None else after_hours,
            "posting_date": posting_date.to_numpy(),
        },
        index=users.index,
    )
    grouped = work.groupby("user", observed=True, sort=False)
    table = grouped.agg(
        lines=("volume", "size"),
        volume=("volume", "sum"),
        mean_amount=("volume", "mean"),
        median_amount=("volume", "median"),
        weekend_share=("weekend", "mean"),
        after_hours_share=("after_hours", "mean"),
        first_posting=("posting_date", "min"),
        last_posting=("posting_date", "max"),
    )
    if accounts is not None:
        pairs = pd.DataFrame({"user": users, "account": accounts}).drop_duplicates()
        touched = pairs.groupby("user", observed=True, sort=False).size()
        table.insert(4, "accounts_touched", touched.reindex(table.index).astype("int64"))
    return ranked(table, "volume")


def user_patterns_section(
    activity: pd.DataFrame,
    weekend: np.ndarray,
    after_hours: np.ndarray | None,
    time_source: str | None,
    working_time: WorkingTime,
    top_n: int,
) -> dict[str, Any]:
    view = activity.assign(
        volume=activity["volume"].round(2),
        mean_amount=activity["mean_amount"].round(2),
        median_amount=activity["median_amount"].round(2),
        weekend_share=activity["weekend_share"].round(4),
        after_hours_share=activity["after_hours_share"].round(4),
    )
    known_times = None if after_hours is None else after_hours[~np.isnan(after_hours)]
    block = top_n_with_other(view, top_n, ("lines", "volume"), "user")
    return {
        "users_total": int(len(activity)),
        "amount_basis": "absolute amount of each line",
        "weekend_basis": "posting_date",
        "weekend_days": [WEEKDAY_NAMES[d] for d in working_time.weekend],
        "time_source": time_source,
        "business_hours": {"start": working_time.business_hours_start, "end": working_time.business_hours_end},
        "overall_weekend_share": ratio(weekend.sum(), len(weekend)),
        "overall_after_hours_share": (None if known_times is None else ratio(known_times.sum(), len(known_times))),
        "lines_with_time": None if known_times is None else int(len(known_times)),
        "top_users": block,
    }

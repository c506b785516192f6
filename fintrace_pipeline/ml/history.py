"""History features across file boundaries: what a source's earlier transactions and verdicts say
about each transaction's counterparty, user and account.

For every entity (``vendor``, ``user``, ``account``) and trailing window (1, 7 and 30 days before
the transaction, the transaction itself excluded): how many transactions it had and their mean size,
the transaction's amount against that mean, and how many of those transactions carried a confirmed
verdict, and what share — plus the days since the entity's last confirmed issue (up to 30).

Verdicts are used only where they existed when the transaction happened: a verdict known at time
``known_at`` (on the transactions' own time axis) counts for transactions strictly after it, and for
each transaction the verdict that counts on a target is the last one recorded among those known by
then. A learner trained on these features therefore sees each row exactly as it would have been
scored, and never a label from its future.

Everything is vectorised: rows sorted by (entity, time) and windows found by binary search, with one
pass per distinct ``known_at`` (verdicts arrive in batches, a handful per file).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

ENTITIES = ("vendor", "user", "account")
WINDOWS_DAYS = (1, 7, 30)
DAY_SECONDS = 86_400
# Days since the last confirmed issue are counted up to the longest window (and are that when there
# was none within it), so scoring a file needs only the month of history before it.
LONGEST_DAYS = float(max(WINDOWS_DAYS))
CONFIRMED = "confirmed"
# Room for every second of a century per entity code in one int64 sort key.
_SPAN = np.int64(4_000_000_000)


@dataclass(frozen=True)
class HistoryFeature:
    """What one column measures, so reasons can put it in words."""

    entity: str
    kind: str  # count | amount | amount_ratio | confirmed | confirmed_rate | days_since_confirmed
    days: int | None


def feature_name(entity: str, kind: str, days: int | None = None) -> str:
    return f"{entity}_{kind}" if days is None else f"{entity}_{kind}_{days}d"


def describe(name: str) -> HistoryFeature | None:
    """The entity, kind and window of a history feature's name; None for any other name."""
    for entity in ENTITIES:
        if not name.startswith(entity + "_"):
            continue
        rest = name[len(entity) + 1 :]
        if rest == "days_since_confirmed":
            return HistoryFeature(entity, rest, None)
        kind, _, window = rest.rpartition("_")
        if window.endswith("d") and window[:-1].isdigit() and int(window[:-1]) in WINDOWS_DAYS:
            return HistoryFeature(entity, kind, int(window[:-1]))
    return None


def entities_in(frame: pd.DataFrame) -> list[str]:
    """The entity columns the frame has with at least one value."""
    return [e for e in ENTITIES if e in frame.columns and frame[e].notna().any()]


def _seconds(dates: pd.Series) -> np.ndarray:
    return pd.to_datetime(dates).to_numpy("datetime64[s]").astype(np.int64)


def _codes(values: pd.Series) -> np.ndarray:
    """Entity code per row, -1 where the row names none."""
    return pd.factorize(values.astype("string"), use_na_sentinel=True)[0].astype(np.int64)


class _Windows:
    """Rows of one entity column sorted by (entity, time), with running sums for window totals."""

    def __init__(self, codes: np.ndarray, seconds: np.ndarray, amounts: np.ndarray | None = None) -> None:
        keep = codes >= 0
        keys = codes[keep] * _SPAN + seconds[keep]
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.seconds = seconds[keep][order]
        self.cumulative = None
        if amounts is not None:
            self.cumulative = np.concatenate([[0.0], np.cumsum(amounts[keep][order])])

    def bounds(self, codes: np.ndarray, seconds: np.ndarray, days: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Positions [low, high) of each query's entity rows strictly before its time and, with
        ``days``, after its time less the window."""
        key = codes * _SPAN + seconds
        high = np.searchsorted(self.keys, key, side="left")
        if days is None:
            low = np.searchsorted(self.keys, codes * _SPAN, side="left")
        else:
            low = np.searchsorted(self.keys, key - days * DAY_SECONDS, side="right")
        return low, high

    def counts(self, codes: np.ndarray, seconds: np.ndarray, days: int) -> np.ndarray:
        low, high = self.bounds(codes, seconds, days)
        return high - low

    def sums(self, codes: np.ndarray, seconds: np.ndarray, days: int) -> tuple[np.ndarray, np.ndarray]:
        low, high = self.bounds(codes, seconds, days)
        return high - low, self.cumulative[high] - self.cumulative[low]

    def latest(self, codes: np.ndarray, seconds: np.ndarray) -> np.ndarray:
        """Each query's entity's latest time strictly before the query's, NaN where there is none."""
        low, high = self.bounds(codes, seconds, None)
        out = np.full(len(codes), np.nan)
        found = high > low
        out[found] = self.seconds[high[found] - 1]
        return out


def _counting_confirmed(verdicts: pd.DataFrame, known_by: int) -> np.ndarray:
    """Positions of the transactions whose counting verdict, among those known at or before
    ``known_by``, is confirmed."""
    known = verdicts[verdicts["known_seconds"] <= known_by]
    newest = known.drop_duplicates("position", keep="last")
    return newest.loc[newest["verdict"] == CONFIRMED, "position"].to_numpy(dtype=np.int64)


def _verdict_frame(verdicts: pd.DataFrame, base: int) -> pd.DataFrame:
    """The verdicts on targets confirmed at some time, the only ones that can count, kept in the order
    given (recorded order): the last known verdict on a target counts."""
    ever_confirmed = verdicts.loc[verdicts["verdict"] == CONFIRMED, "position"].unique()
    verdicts = verdicts[verdicts["position"].isin(ever_confirmed)]
    return pd.DataFrame(
        {
            "position": verdicts["position"].to_numpy(dtype=np.int64),
            "verdict": verdicts["verdict"].to_numpy(),
            "known_seconds": _seconds(verdicts["known_at"]) - base,
        }
    )


def history_features(
    transactions: pd.DataFrame, verdicts: pd.DataFrame, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """History features for ``transactions.iloc[rows]`` (all rows when None), one column per feature.

    ``transactions``: the source's transactions (earlier files and the scored ones), with
    ``posting_date``, ``amount`` and any of the ENTITIES columns. ``verdicts``: one row per verdict
    on a transaction, in the order recorded: ``position`` (of the transaction in ``transactions``),
    ``verdict`` and ``known_at`` (on the transactions' time axis). The result's index is ``rows``.
    """
    rows = np.arange(len(transactions)) if rows is None else np.asarray(rows, dtype=np.int64)
    seconds = _seconds(transactions["posting_date"])
    base = int(seconds.min()) if len(seconds) else 0
    seconds = seconds - base  # non-negative, so an entity's keys never reach into the one before
    amounts = np.abs(pd.to_numeric(transactions["amount"]).to_numpy(dtype=np.float64))
    verdict_frame = _verdict_frame(verdicts, base)
    query_seconds = seconds[rows]
    out: dict[str, np.ndarray] = {}
    for entity in entities_in(transactions):
        codes = _codes(transactions[entity])
        query_codes = codes[rows]
        named = query_codes >= 0
        safe_codes = np.where(named, query_codes, 0)
        activity = _Windows(codes, seconds, amounts)
        counts = {}
        for days in WINDOWS_DAYS:
            count, total = activity.sums(safe_codes, query_seconds, days)
            count = np.where(named, count, 0)
            mean = np.divide(total, count, out=np.zeros(len(rows)), where=count > 0)
            counts[days] = count
            out[feature_name(entity, "count", days)] = count.astype(np.float64)
            out[feature_name(entity, "amount", days)] = np.log1p(mean)
            ratio = np.log1p(amounts[rows]) - np.log1p(mean)
            out[feature_name(entity, "amount_ratio", days)] = np.where(count > 0, ratio, 0.0)
        confirmed = _confirmed_history(verdict_frame, codes, seconds, safe_codes, query_seconds)
        for days in WINDOWS_DAYS:
            hits = np.where(named, confirmed[days], 0)
            out[feature_name(entity, "confirmed", days)] = hits.astype(np.float64)
            rate = np.divide(hits, counts[days], out=np.zeros(len(rows)), where=counts[days] > 0)
            out[feature_name(entity, "confirmed_rate", days)] = rate
        since = np.nan_to_num(np.where(named, confirmed[None], np.nan), nan=LONGEST_DAYS)
        out[feature_name(entity, "days_since_confirmed")] = np.minimum(since, LONGEST_DAYS)
    return pd.DataFrame(out, index=pd.Index(rows))


def _confirmed_history(
    verdicts: pd.DataFrame,
    codes: np.ndarray,
    seconds: np.ndarray,
    query_codes: np.ndarray,
    query_seconds: np.ndarray,
) -> dict[int | None, np.ndarray]:
    """Per window, each query's count of its entity's confirmed transactions in the window, and (key
    None) the days since the latest one, each from the verdicts known strictly before the query."""
    n = len(query_codes)
    out: dict[int | None, np.ndarray] = {days: np.zeros(n, dtype=np.int64) for days in WINDOWS_DAYS}
    out[None] = np.full(n, np.nan)
    if verdicts.empty:
        return out
    epochs = np.unique(verdicts["known_seconds"].to_numpy())
    # Queries after epoch j (and up to epoch j+1) see the verdicts known at or before epoch j.
    epoch_of = np.searchsorted(epochs, query_seconds, side="left") - 1
    for index in np.unique(epoch_of[epoch_of >= 0]):
        queries = np.flatnonzero(epoch_of == index)
        positives = _counting_confirmed(verdicts, int(epochs[index]))
        if len(positives) == 0:
            continue
        windows = _Windows(codes[positives], seconds[positives])
        q_codes, q_seconds = query_codes[queries], query_seconds[queries]
        for days in WINDOWS_DAYS:
            out[days][queries] = windows.counts(q_codes, q_seconds, days)
        out[None][queries] = (q_seconds - windows.latest(q_codes, q_seconds)) / DAY_SECONDS
    return out

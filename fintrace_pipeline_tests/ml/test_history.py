"""History features: exact values on small cases, a brute-force reference on random data, and the
guarantee that no verdict reaches a transaction before it was known."""

import numpy as np
import pandas as pd
import pytest

from fintrace_pipeline.ml.history import (
    LONGEST_DAYS,
    WINDOWS_DAYS,
    describe,
    feature_name,
    history_features,
)

T0 = pd.Timestamp("2024-03-01")


def _frame(rows: list[tuple[float, str, float]]) -> pd.DataFrame:
    """(day offset, vendor, amount) per row."""
    return pd.DataFrame(
        {
            "posting_date": [T0 + pd.Timedelta(days=d) for d, _, _ in rows],
            "vendor": pd.array([v for _, v, _ in rows], dtype="string"),
            "amount": [a for _, _, a in rows],
        }
    )


def _verdicts(items: list[tuple[int, str, float]]) -> pd.DataFrame:
    """(position, verdict, known at day offset), in recorded order."""
    return pd.DataFrame(
        {
            "position": [p for p, _, _ in items],
            "verdict": [v for _, v, _ in items],
            "known_at": [T0 + pd.Timedelta(days=d) for _, _, d in items],
        }
    )


NO_VERDICTS = _verdicts([])


def test_activity_counts_only_the_entitys_earlier_rows_in_each_window():
    frame = _frame([(0, "A", 10), (0.5, "A", 30), (3, "A", 100), (3.2, "B", 5), (20, "A", 40)])
    out = history_features(frame, NO_VERDICTS)
    assert out["vendor_count_1d"].tolist() == [0, 1, 0, 0, 0]
    assert out["vendor_count_7d"].tolist() == [0, 1, 2, 0, 0]
    assert out["vendor_count_30d"].tolist() == [0, 1, 2, 0, 3]
    # Row 2 (amount 100) against the mean of 10 and 30 in its 7 days.
    assert out.loc[2, "vendor_amount_7d"] == pytest.approx(np.log1p(20.0))
    assert out.loc[2, "vendor_amount_ratio_7d"] == pytest.approx(np.log1p(100.0) - np.log1p(20.0))
    assert out.loc[0, "vendor_amount_ratio_30d"] == 0.0  # no history: nothing to compare with


def test_a_verdict_counts_only_for_transactions_after_it_was_known():
    frame = _frame([(0, "T", 50), (1, "T", 50), (2, "T", 50), (2.5, "T", 50), (4, "T", 50)])
    verdicts = _verdicts([(0, "confirmed", 2.0)])  # row 0 confirmed, known on day 2
    out = history_features(frame, verdicts)
    # Row 2 happens exactly when the verdict becomes known: not yet usable.
    assert out["vendor_confirmed_7d"].tolist() == [0, 0, 0, 1, 1]
    assert out["vendor_confirmed_1d"].tolist() == [0, 0, 0, 0, 0]  # row 0 is more than a day before
    assert out.loc[3, "vendor_confirmed_rate_7d"] == pytest.approx(1 / 3)
    assert out.loc[3, "vendor_days_since_confirmed"] == pytest.approx(2.5)
    assert out.loc[1, "vendor_days_since_confirmed"] == LONGEST_DAYS


def test_the_newest_known_verdict_on_a_target_counts():
    frame = _frame([(0, "T", 50), (1, "T", 50), (3, "T", 50), (6, "T", 50)])
    verdicts = _verdicts([(0, "confirmed", 0.5), (0, "cleared", 2.0), (1, "follow_up", 1.5), (1, "confirmed", 5.0)])
    out = history_features(frame, verdicts)
    # Row 1 (day 1) sees row 0 confirmed; row 2 (day 3) sees it cleared; row 3 sees row 1 confirmed.
    assert out["vendor_confirmed_7d"].tolist() == [0, 1, 0, 1]


def test_rows_without_the_entity_get_zero_and_do_not_count():
    frame = _frame([(0, "A", 5), (1, None, 5), (2, "A", 5)])
    out = history_features(frame, _verdicts([(0, "confirmed", 0.1)]))
    assert out["vendor_count_7d"].tolist() == [0, 0, 1]
    assert out["vendor_confirmed_7d"].tolist() == [0, 0, 1]
    assert out.loc[1, "vendor_days_since_confirmed"] == LONGEST_DAYS


def test_only_the_requested_rows_are_computed_and_indexed_by_position():
    frame = _frame([(0, "A", 1), (1, "A", 2), (2, "A", 3)])
    out = history_features(frame, NO_VERDICTS, np.array([2, 0]))
    assert out.index.tolist() == [2, 0]
    assert out["vendor_count_7d"].tolist() == [2, 0]


def test_names_describe_themselves():
    assert describe(feature_name("user", "confirmed", 7)).days == 7
    assert describe("vendor_days_since_confirmed").kind == "days_since_confirmed"
    assert describe("amount_vs_user") is None


def _random_case(seed: int):
    rng = np.random.default_rng(seed)
    n = 200
    frame = pd.DataFrame(
        {
            "posting_date": T0 + pd.to_timedelta(np.sort(rng.uniform(0, 60, n)), unit="D"),
            "vendor": pd.array(rng.choice(["a", "b", "c", "d"], n), dtype="string"),
            "user": pd.array(rng.choice(["u1", "u2", "u3"], n), dtype="string"),
            "amount": rng.lognormal(3, 1, n).round(2),
        }
    )
    reviewed = rng.choice(n, 180, replace=False)
    known = frame["posting_date"].to_numpy()[reviewed] + pd.to_timedelta(rng.uniform(0, 10, len(reviewed)), unit="D")
    # Batches, as verdicts arrive: known times rounded up to whole days.
    verdicts = pd.DataFrame(
        {
            "position": reviewed,
            "verdict": rng.choice(["confirmed", "cleared", "follow_up"], len(reviewed), p=[0.4, 0.5, 0.1]),
            "known_at": pd.DatetimeIndex(known).ceil("D"),
        }
    )
    # A second opinion on some targets, known later.
    again = verdicts.sample(40, random_state=seed).assign(verdict="cleared")
    again["known_at"] = again["known_at"] + pd.Timedelta(days=3)
    return frame, pd.concat([verdicts, again], ignore_index=True)


def _reference(frame: pd.DataFrame, verdicts: pd.DataFrame, row: int, entity: str, days: int) -> tuple[int, int]:
    """(activity count, confirmed count) for one row by the definition, one row at a time."""
    t = frame["posting_date"].iloc[row]
    value = frame[entity].iloc[row]
    in_window = (
        (frame[entity] == value) & (frame["posting_date"] < t) & (frame["posting_date"] > t - pd.Timedelta(days=days))
    )
    known = verdicts[verdicts["known_at"] < t].drop_duplicates("position", keep="last")
    confirmed = set(known.loc[known["verdict"] == "confirmed", "position"])
    return int(in_window.sum()), sum(1 for p in np.flatnonzero(in_window.to_numpy()) if p in confirmed)


@pytest.mark.parametrize("seed", [1, 2])
def test_matches_the_definition_row_by_row(seed):
    frame, verdicts = _random_case(seed)
    out = history_features(frame, verdicts)
    for row in range(0, len(frame), 13):
        for entity in ("vendor", "user"):
            for days in WINDOWS_DAYS:
                count, confirmed = _reference(frame, verdicts, row, entity, days)
                assert out.loc[row, feature_name(entity, "count", days)] == count
                assert out.loc[row, feature_name(entity, "confirmed", days)] == confirmed, (row, entity, days)


def test_no_future_verdict_changes_any_row():
    """Each row's features are the same when computed with only the verdicts known before it: a
    verdict known later (a future label) never reaches it."""
    frame, verdicts = _random_case(3)
    full = history_features(frame, verdicts)
    for row in range(0, len(frame), 17):
        past = verdicts[verdicts["known_at"] < frame["posting_date"].iloc[row]]
        alone = history_features(frame, past.reset_index(drop=True), np.array([row]))
        pd.testing.assert_series_equal(full.loc[row], alone.loc[row], check_names=False)
    # And the verdicts do matter: with every label known from the start the features change.
    leaked = history_features(frame, verdicts.assign(known_at=T0 - pd.Timedelta(days=1)))
    assert (leaked["vendor_confirmed_30d"] != full["vendor_confirmed_30d"]).any()

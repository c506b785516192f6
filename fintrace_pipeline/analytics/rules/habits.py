"""A poster's own habits: whether lines on a weekday, at an hour or on a public holiday are routine for
the user who posted them.

A bucket (Saturdays, public holidays, 22:00–22:59) is routine for a user when they have at least
``habit_min_lines`` lines in it and post there at least ``habit_routine_ratio`` of the rate at which
they post in ordinary working time (per working day, or per business hour). A user who works every
Saturday is then not flagged for each Saturday; one Saturday in a year still is. A few lines never
make a habit, so one burst of odd postings cannot excuse itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.options import Options


@dataclass(frozen=True)
class HabitOptions(Options):
    habit_min_lines: int = 5  # fewer lines in a bucket never make it a habit
    habit_routine_ratio: float = 0.25  # routine: at least this share of the user's ordinary rate


@dataclass(frozen=True)
class Habits:
    """Per candidate row: whether its bucket is routine for its poster, and the counts behind that."""

    routine: np.ndarray  # bool
    known: np.ndarray  # bool: the row names its poster
    users: np.ndarray  # object: the poster's name (None where unknown)
    bucket_lines: np.ndarray  # int: the poster's lines in the row's bucket
    user_lines: np.ndarray  # int: all the poster's lines

    def stats(self) -> dict[str, int]:
        """How many candidate lines were not flagged as routine, and for how many users."""
        routine_users = pd.unique(self.users[self.routine]) if self.routine.any() else []
        return {"routine_lines_not_flagged": int(self.routine.sum()), "routine_users": int(len(routine_users))}


def poster_habits(
    users: pd.Series | None,
    bucket: np.ndarray,
    candidates: np.ndarray,
    bucket_occurrences: np.ndarray,
    ordinary: np.ndarray,
    ordinary_occurrences: float,
    options: HabitOptions,
) -> Habits:
    """Habits of the posters of the ``candidates`` rows (a boolean mask over all rows).

    ``bucket`` gives every candidate row its bucket (0 .. len(bucket_occurrences) - 1), and
    ``bucket_occurrences`` how often each bucket occurs in the file's span (Saturdays in it, days for
    an hour of the day); ``ordinary`` marks the rows in ordinary working time, which occurs
    ``ordinary_occurrences`` times (working days, or days × business hours).
    """
    count = int(candidates.sum())
    if users is None or count == 0:
        none = np.zeros(count, dtype=bool)
        return Habits(
            none, none, np.full(count, None, dtype=object), np.zeros(count, "int64"), np.zeros(count, "int64")
        )
    codes, names = pd.factorize(text_values(users))
    known_rows = codes >= 0
    safe = np.where(known_rows, codes, 0)
    n_users, n_buckets = max(len(names), 1), len(bucket_occurrences)
    user_lines = np.bincount(safe[known_rows], minlength=n_users)
    ordinary_lines = np.bincount(safe[known_rows & ordinary], minlength=n_users)
    in_bucket = known_rows & candidates
    keys = safe * n_buckets + np.where(candidates, bucket, 0)
    bucket_lines = np.bincount(keys[in_bucket], minlength=n_users * n_buckets)

    candidate_codes, candidate_keys = safe[candidates], keys[candidates]
    known = known_rows[candidates]
    lines_here = np.where(known, bucket_lines[candidate_keys], 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate_here = lines_here / bucket_occurrences[bucket[candidates]]
        ordinary_rate = ordinary_lines[candidate_codes] / max(ordinary_occurrences, 1.0)
    routine = (
        known & (lines_here >= options.habit_min_lines) & (rate_here >= options.habit_routine_ratio * ordinary_rate)
    )
    poster = np.where(known, np.asarray(names, dtype=object)[candidate_codes] if len(names) else None, None)
    return Habits(routine, known, poster, lines_here, np.where(known, user_lines[candidate_codes], 0))


def habit_phrases(rule, habits: Habits, keep: np.ndarray, bucket_text: list[str]) -> list[str]:
    """The reason's habit clause for the flagged rows (``keep`` over the candidates): the poster's
    count in the bucket, or nothing when the row names no poster."""
    known = habits.known[keep]
    return rule.fill_phrases(
        ["habit" if k else "none" for k in known],
        user=[u if u is not None else "" for u in habits.users[keep]],
        lines=habits.bucket_lines[keep].tolist(),
        user_lines=habits.user_lines[keep].tolist(),
        bucket=bucket_text,
    )

"""Entity rules: seldom-used accounts, unusual user–account pairs, missing descriptions, self-approval."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.rules.common import build_flags, text_values


def seldom_used_account_flags(
    transactions: pd.DataFrame, max_lines: int, typical_min_lines: int
) -> tuple[pd.DataFrame, dict[str, Any], str | None]:
    """Lines on accounts with ≤ ``max_lines`` lines, when the median account has ≥ ``typical_min_lines``.

    Returns flags, a summary and, when the file's accounts are all sparsely used (so "seldom" means
    nothing), the reason the check did not apply.
    """
    accounts = text_values(transactions["account"])
    counts = accounts.value_counts()
    typical = float(counts.median()) if len(counts) else 0.0
    stats: dict[str, Any] = {"accounts": int(len(counts)), "median_lines_per_account": typical}
    if typical < typical_min_lines:
        plural = "" if typical == 1 else "s"
        reason = f"accounts typically have {typical:g} line{plural} (needs ≥ {typical_min_lines} to judge 'seldom')"
        return build_flags([], "SELDOM_USED_ACCOUNT", [], []), stats, reason
    seldom = counts[counts <= max_lines]
    stats["seldom_accounts"] = int(len(seldom))
    line_counts = accounts.map(seldom)
    mask = line_counts.notna().to_numpy()
    names = accounts[mask].tolist()
    lines = line_counts[mask].astype("int64").tolist()
    return (
        build_flags(
            transactions["row_number"].to_numpy()[mask],
            "SELDOM_USED_ACCOUNT",
            [
                f"Account {a} has only {n} line{'s' if n != 1 else ''} in this file "
                f"(accounts typically have {typical:g})"
                for a, n in zip(names, lines, strict=True)
            ],
            [
                {"account": a, "account_lines": n, "median_lines_per_account": typical}
                for a, n in zip(names, lines, strict=True)
            ],
        ),
        stats,
        None,
    )


def unusual_user_account_flags(
    transactions: pd.DataFrame, max_pair_lines: int, max_share: float, min_user_lines: int
) -> pd.DataFrame:
    """Lines of a user–account pair with ≤ ``max_pair_lines`` lines and < ``max_share`` of the user's lines."""
    user_codes, users = pd.factorize(text_values(transactions["user"]))
    account_codes, accounts = pd.factorize(text_values(transactions["account"]))
    usable = (user_codes >= 0) & (account_codes >= 0)
    user_codes, account_codes = user_codes[usable], account_codes[usable]
    # Integer pair keys keep the counting vectorised (no groupby over string pairs).
    pair_codes, _ = pd.factorize(user_codes.astype("int64") * max(len(accounts), 1) + account_codes)
    pair_lines = np.bincount(pair_codes)[pair_codes]
    user_lines = np.bincount(user_codes)[user_codes]
    share = pair_lines / user_lines
    hit = (pair_lines <= max_pair_lines) & (share < max_share) & (user_lines >= min_user_lines)
    rows = transactions["row_number"].to_numpy()[usable][hit]
    hit_pairs = pd.DataFrame(
        {
            "user": np.asarray(users, dtype=object)[user_codes[hit]],
            "account": np.asarray(accounts, dtype=object)[account_codes[hit]],
        }
    )
    reasons, details = [], []
    for user, account, n, total, sh in zip(
        hit_pairs["user"].tolist(),
        hit_pairs["account"].tolist(),
        pair_lines[hit].tolist(),
        user_lines[hit].tolist(),
        share[hit].tolist(),
        strict=True,
    ):
        reasons.append(f"User {user} posted {n} of {total} lines ({sh * 100:.2f} %) to account {account}")
        details.append(
            {"user": user, "account": account, "pair_lines": n, "user_lines": total, "share_pct": round(sh * 100, 3)}
        )
    return build_flags(rows, "UNUSUAL_USER_ACCOUNT", reasons, details)


def missing_description_flags(transactions: pd.DataFrame) -> pd.DataFrame:
    mask = text_values(transactions["description"]).isna().to_numpy()
    count = int(mask.sum())
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "MISSING_DESCRIPTION",
        ["Description is empty"] * count,
        [{"description": None} for _ in range(count)],
    )


def normalized_person(series: pd.Series) -> pd.Series:
    """Names compared without case or whitespace ("J Doe " == "jdoe").

    Names repeat a lot, so the distinct values are normalised once and mapped back.
    """
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    normalized = text_values(pd.Series(distinct, dtype="string")).str.casefold().str.replace(r"\s+", "", regex=True)
    values = normalized.to_numpy(dtype=object, na_value=None)
    mapped = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else None, None)
    return pd.Series(mapped, index=series.index, dtype="string")


def self_approved_flags(transactions: pd.DataFrame) -> pd.DataFrame:
    user = normalized_person(transactions["user"])
    approver = normalized_person(transactions["approver"])
    mask = (user == approver).fillna(False).to_numpy(dtype=bool)
    names = transactions["user"][mask].astype("string").str.strip().tolist()
    approvers = transactions["approver"][mask].astype("string").str.strip().tolist()
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "SELF_APPROVED",
        [f"Posted by {u} and approved by {a}: the same person" for u, a in zip(names, approvers, strict=True)],
        [{"user": u, "approver": a} for u, a in zip(names, approvers, strict=True)],
    )

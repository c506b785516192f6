"""Entity rules: seldom-used accounts, unusual user–account pairs, missing descriptions, self-approval."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.flags import build_flags
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.rules import RULES, plural_s


@dataclass(frozen=True)
class EntityRuleOptions(Options):
    seldom_account_max_lines: int = 3
    seldom_account_typical_min_lines: int = 10
    unusual_pair_max_lines: int = 1
    unusual_pair_max_share: float = 0.01
    unusual_pair_min_user_lines: int = 50


def check_entity_rules(run: RuleRun, options: EntityRuleOptions) -> None:
    tx = run.transactions

    run.run_rule(
        "SELDOM_USED_ACCOUNT", lambda: run.record("SELDOM_USED_ACCOUNT", *seldom_used_account_flags(tx, options))
    )
    run.run_rule("UNUSUAL_USER_ACCOUNT", lambda: run.add(unusual_user_account_flags(tx, options)))
    # An all-blank description column still means "present but empty", so only absence skips it.
    run.run_rule("MISSING_DESCRIPTION", lambda: run.add(missing_description_flags(tx)), allow_empty=True)
    run.run_rule("SELF_APPROVED", lambda: run.add(self_approved_flags(tx)))


def seldom_used_account_flags(
    transactions: pd.DataFrame, options: EntityRuleOptions
) -> tuple[pd.DataFrame, dict[str, Any], str | None]:
    """Lines on accounts with ≤ ``seldom_account_max_lines`` lines, when the median account has
    ≥ ``seldom_account_typical_min_lines``.

    Returns flags, a summary and, when the file's accounts are all sparsely used (so "seldom" means
    nothing), the reason the check did not apply.
    """
    max_lines, typical_min_lines = options.seldom_account_max_lines, options.seldom_account_typical_min_lines
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
            RULES["SELDOM_USED_ACCOUNT"].reasons(
                len(names), account=names, lines=lines, s=plural_s(lines), typical=typical
            ),
            [
                {"account": a, "account_lines": n, "median_lines_per_account": typical}
                for a, n in zip(names, lines, strict=True)
            ],
        ),
        stats,
        None,
    )


def unusual_user_account_flags(transactions: pd.DataFrame, options: EntityRuleOptions) -> pd.DataFrame:
    """Lines of a user–account pair with ≤ ``unusual_pair_max_lines`` lines and < ``unusual_pair_max_share``
    of the lines of a user with ≥ ``unusual_pair_min_user_lines`` lines."""
    user_codes, users = pd.factorize(text_values(transactions["user"]))
    account_codes, accounts = pd.factorize(text_values(transactions["account"]))
    usable = (user_codes >= 0) & (account_codes >= 0)
    user_codes, account_codes = user_codes[usable], account_codes[usable]
    # Integer pair keys keep the counting vectorised (no groupby over string pairs).
    pair_codes, _ = pd.factorize(user_codes.astype("int64") * max(len(accounts), 1) + account_codes)
    pair_lines = np.bincount(pair_codes)[pair_codes]
    user_lines = np.bincount(user_codes)[user_codes]
    share = pair_lines / user_lines
    hit = (
        (pair_lines <= options.unusual_pair_max_lines)
        & (share < options.unusual_pair_max_share)
        & (user_lines >= options.unusual_pair_min_user_lines)
    )
    rows = transactions["row_number"].to_numpy()[usable][hit]
    hit_pairs = pd.DataFrame(
        {
            "user": np.asarray(users, dtype=object)[user_codes[hit]],
            "account": np.asarray(accounts, dtype=object)[account_codes[hit]],
        }
    )
    hit_users, hit_accounts = hit_pairs["user"].tolist(), hit_pairs["account"].tolist()
    hit_lines, hit_user_lines = pair_lines[hit].tolist(), user_lines[hit].tolist()
    share_pct = (share[hit] * 100).tolist()
    reasons = RULES["UNUSUAL_USER_ACCOUNT"].reasons(
        len(rows), user=hit_users, lines=hit_lines, user_lines=hit_user_lines, share_pct=share_pct, account=hit_accounts
    )
    details = [
        {"user": user, "account": account, "pair_lines": n, "user_lines": total, "share_pct": round(pct, 3)}
        for user, account, n, total, pct in zip(
            hit_users, hit_accounts, hit_lines, hit_user_lines, share_pct, strict=True
        )
    ]
    return build_flags(rows, "UNUSUAL_USER_ACCOUNT", reasons, details)


def missing_description_flags(transactions: pd.DataFrame) -> pd.DataFrame:
    mask = text_values(transactions["description"]).isna().to_numpy()
    count = int(mask.sum())
    return build_flags(
        transactions["row_number"].to_numpy()[mask],
        "MISSING_DESCRIPTION",
        RULES["MISSING_DESCRIPTION"].reasons(count),
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
        RULES["SELF_APPROVED"].reasons(len(names), user=names, approver=approvers),
        [{"user": u, "approver": a} for u, a in zip(names, approvers, strict=True)],
    )

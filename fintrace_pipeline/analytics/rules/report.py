"""The sections stored with an anomaly_detection result: the risk assessment (counts per rule and
severity, thresholds, skipped checks, per-check statistics, the top transactions), charts, and the
flagged users, accounts and times of day."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.rules.options import AnomalyDetectionOptions
from fintrace_pipeline.analytics.rules.scoring import severity_weights
from fintrace_pipeline.analytics.working_time import WEEKDAY_NAMES
from fintrace_pipeline.findings import SEVERITIES, SEVERITY_WEIGHT
from fintrace_pipeline.rules import ANOMALY_DETECTION, RULES, rules_for


def _positions(transactions: pd.DataFrame, row_numbers: pd.Series | np.ndarray) -> np.ndarray:
    return pd.Index(transactions["row_number"].to_numpy()).get_indexer(np.asarray(row_numbers))


def _top_transactions(
    run: RuleRun, options: AnomalyDetectionOptions, flags: pd.DataFrame, scores: pd.Series
) -> list[dict[str, Any]]:
    if scores.empty:
        return []
    ranked = scores.reset_index().sort_values(["rule_score", "row_number"], ascending=[False, True])
    top = ranked.head(options.top_n)
    tx = run.transactions
    positions = _positions(tx, top["row_number"])
    chosen = flags[flags["row_number"].isin(top["row_number"])]
    weight = chosen["severity"].map(SEVERITY_WEIGHT)
    chosen = chosen.assign(weight=weight).sort_values(["row_number", "weight"], ascending=[True, False])
    by_row = {row: group for row, group in chosen.groupby("row_number", sort=False)}
    listed = []
    for row, score, position in zip(top["row_number"].tolist(), top["rule_score"].tolist(), positions, strict=True):
        entry: dict[str, Any] = {
            "row_number": row,
            "rule_score": score,
            "posting_date": tx["posting_date"].iloc[position],
            "amount": float(tx["amount"].iloc[position]),
        }
        for column in ("transaction_id", "je_number", "user", "account", "vendor"):
            if column in tx.columns:
                entry[column] = tx[column].iloc[position]
        group = by_row[row]
        entry["rules"] = group["rule_code"].tolist()
        entry["reasons"] = group["reason"].tolist()
        listed.append(entry)
    return listed


def _flags_by_entity(
    run: RuleRun, options: AnomalyDetectionOptions, flags: pd.DataFrame, column: str
) -> list[dict[str, Any]]:
    """Top entities (users, accounts) by the rule score of their flags."""
    tx = run.transactions
    if column not in tx.columns or flags.empty:
        return []
    codes, names = pd.factorize(text_values(tx[column]))
    positions = _positions(tx, flags["row_number"])
    flag_codes = codes[positions]
    known = flag_codes >= 0
    if not known.any():
        return []
    flag_codes = flag_codes[known]
    weights = severity_weights(flags)[known]
    flag_count = np.bincount(flag_codes, minlength=len(names))
    score = np.bincount(flag_codes, weights=weights, minlength=len(names))
    flagged = np.zeros(len(tx), dtype=bool)
    flagged[positions] = True
    flagged_codes = codes[flagged]
    flagged_rows = np.bincount(flagged_codes[flagged_codes >= 0], minlength=len(names))
    top = np.lexsort((-flag_count, -score))[: options.top_n]
    top = top[flag_count[top] > 0]
    rules = flags["rule_code"].to_numpy()[known]
    listed = []
    for code in top.tolist():
        per_rule = pd.Series(rules[flag_codes == code]).value_counts()
        listed.append(
            {
                column: str(names[code]),
                "flags": int(flag_count[code]),
                "flagged_rows": int(flagged_rows[code]),
                "rule_score": float(score[code]),
                "by_rule": {rule: int(n) for rule, n in per_rule.items()},
            }
        )
    return listed


def _temporal_patterns(run: RuleRun, options: AnomalyDetectionOptions, flags: pd.DataFrame) -> dict[str, Any]:
    tx = run.transactions
    weekday = tx["posting_date"].dt.dayofweek.value_counts().reindex(range(7), fill_value=0)
    patterns: dict[str, Any] = {
        "postings_by_weekday": {WEEKDAY_NAMES[d]: int(n) for d, n in weekday.items()},
    }
    holiday = flags[flags["rule_code"] == "HOLIDAY_POSTING"]
    if len(holiday):
        named = pd.Series([d["holiday"] + " " + d["posting_date"] for d in holiday["details"]]).value_counts()
        patterns["holiday_postings"] = {k: int(v) for k, v in named.head(options.top_n).items()}
    source = run.checks.get("AFTER_HOURS", {}).get("source_column")
    if source:
        hours = tx[source].dt.hour.value_counts().reindex(range(24), fill_value=0)
        patterns["time_source_column"] = source
        patterns["postings_by_hour"] = {int(h): int(n) for h, n in hours.items()}
    if "entry_date" in tx.columns:
        lag = (tx["entry_date"].dt.normalize() - tx["posting_date"].dt.normalize()).dt.days
        if lag.notna().any():
            patterns["entry_lag_days"] = {
                "median": float(lag.median()),
                "max": float(lag.max()),
                "over_limit": int((lag > options.backdated_days).sum()),
            }
    return patterns


def sections(
    run: RuleRun, options: AnomalyDetectionOptions, flags: pd.DataFrame, scores: pd.Series, parameters: dict[str, Any]
) -> dict[str, Any]:
    codes = [r.code for r in rules_for(ANOMALY_DETECTION)]
    counts = flags["rule_code"].value_counts()
    rows_per_rule = flags.groupby("rule_code")["row_number"].nunique() if len(flags) else pd.Series(dtype="int64")
    severity = flags["severity"].value_counts()
    score_counts = scores.value_counts().sort_index(ascending=False)
    checks = dict(run.checks)
    benford = checks.pop("benford", {})
    je_gaps = checks.pop("JE_NUMBER_GAP", None)
    risk_assessment: dict[str, Any] = {
        "rule_counts": {code: int(counts.get(code, 0)) for code in codes},
        "rows_per_rule": {code: int(rows_per_rule.get(code, 0)) for code in codes},
        "severity_counts": {s: int(severity.get(s, 0)) for s in SEVERITIES},
        "thresholds": parameters,
        "skipped": run.skipped,
        "checks": checks,
        "high_risk_score": options.high_risk_score,
        "score_distribution": [{"rule_score": float(s), "rows": int(n)} for s, n in score_counts.items()],
        "top_transactions": _top_transactions(run, options, flags, scores),
        "benford": benford,
    }
    if je_gaps is not None:
        risk_assessment["je_number_gaps"] = je_gaps
    chart_data: dict[str, Any] = {
        "flags_by_rule": [{"rule_code": c, "title": RULES[c].title, "count": int(counts.get(c, 0))} for c in codes],
    }
    for key in ("first_digit", "first_two_digits", "second_digit", "last_two_digits"):
        if key in benford:
            chart_data[f"benford_{key}"] = [
                {"digit": p["digit"], "expected": p["expected"], "observed": p["observed"]}
                for p in benford[key]["proportions"]
            ]
    seldom = flags[flags["rule_code"] == "SELDOM_USED_ACCOUNT"]
    account_patterns: dict[str, Any] = {"top_flagged_accounts": _flags_by_entity(run, options, flags, "account")}
    if len(seldom):
        seldom_accounts = pd.DataFrame(list(seldom["details"])).drop_duplicates("account")
        account_patterns["seldom_used_accounts"] = seldom_accounts.head(options.top_n).to_dict("records")
        account_patterns["seldom_used_account_count"] = int(len(seldom_accounts))
    return {
        "risk_assessment": risk_assessment,
        "chart_data": chart_data,
        "temporal_patterns": _temporal_patterns(run, options, flags),
        "user_patterns": {"top_flagged_users": _flags_by_entity(run, options, flags, "user")},
        "account_patterns": account_patterns,
    }

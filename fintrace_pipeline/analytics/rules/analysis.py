"""The anomaly_detection stage: rule checks and statistics (incl. Benford) over the canonical frame.

Each rule family lives in its own ``rule_*`` module; this module decides which checks can run on the
columns the file has, gathers their flags, scores every flagged row and assembles the bounded
sections stored with the result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.benford import benford_test, leading_digits
from fintrace_pipeline.analytics.rules import amount as rule_amount
from fintrace_pipeline.analytics.rules import entity as rule_entity
from fintrace_pipeline.analytics.rules import journal as rule_journal
from fintrace_pipeline.analytics.rules import time as rule_time
from fintrace_pipeline.analytics.rules.benford import BenfordGroupSettings, benford_group_flags
from fintrace_pipeline.analytics.rules.common import concat_flags, text_values
from fintrace_pipeline.findings import COMPLETED, SEVERITY_WEIGHT, AnalysisResult
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.rules import RULES, rules_for

ANALYTICS_TYPE = "anomaly_detection"
REQUIRED_COLUMNS = ("row_number", "posting_date", "amount")


@dataclass(frozen=True)
class AnomalyDetectionOptions:
    # Time rules
    business_hours_start: str = "07:00"
    business_hours_end: str = "20:00"
    holiday_calendar: tuple[tuple[str, str], ...] | None = None  # (ISO date, name); None: US federal
    include_observed_holidays: bool = True
    backdated_days: int = 30
    backdated_high_days: int = 180
    # Amount rules
    round_floor: float = 1_000.0
    round_base: float = 1_000.0
    round_high_base: float = 10_000.0
    # Limits below 2,500 catch too many ordinary small payments to be worth a reviewer's time.
    approval_limits: tuple[float, ...] = (2_500, 5_000, 10_000, 25_000, 50_000, 100_000)
    below_limit_band: float = 0.02
    outlier_min_lines: int = 20
    outlier_medium_z: float = 3.5
    outlier_high_z: float = 7.0
    outlier_log_scale: bool = True
    outlier_two_sided: bool = False
    # Entity rules
    seldom_account_max_lines: int = 3
    seldom_account_typical_min_lines: int = 10
    unusual_pair_max_lines: int = 1
    unusual_pair_max_share: float = 0.01
    unusual_pair_min_user_lines: int = 50
    # Journal rules
    balance_tolerance: float = 0.0
    je_gap_min_density: float = 0.5
    max_reported_gaps: int = 200
    # Benford
    benford_min_abs_amount: float = 10.0
    benford_min_rows_file: int = 500
    benford_min_rows_group: int = 300
    benford_top_digits: int = 3
    benford_min_digit_z: float = 2.576
    benford_max_flags_per_group: int = 200
    # Scoring and reporting
    high_risk_score: float = 3.0
    top_n: int = 25


def severity_weights(flags: pd.DataFrame) -> np.ndarray:
    """Each flag's severity weight (0 for an unknown severity)."""
    severity = flags["severity"].to_numpy(dtype=object)
    return np.select([severity == name for name in SEVERITY_WEIGHT], list(SEVERITY_WEIGHT.values()), 0.0)


def rule_scores(flags: pd.DataFrame) -> pd.Series:
    """Per-row rule score: the summed severity weight of the row's flags (index ``row_number``)."""
    if flags.empty:
        return pd.Series(dtype="float64", index=pd.Index([], dtype="int64", name="row_number"), name="rule_score")
    scores = pd.Series(severity_weights(flags)).groupby(flags["row_number"].to_numpy()).sum()
    scores.index = scores.index.astype("int64").rename("row_number")
    return scores.rename("rule_score")


@dataclass
class _Run:
    """What the checks gather while they run."""

    transactions: pd.DataFrame
    options: AnomalyDetectionOptions
    flags: list[pd.DataFrame]
    skipped: list[dict[str, str]]
    checks: dict[str, Any]

    def has(self, column: str) -> bool:
        return column in self.transactions.columns and bool(self.transactions[column].notna().any())

    def run(self, check: str, columns: tuple[str, ...], body: Callable[[], None]) -> None:
        absent = [c for c in columns if c not in self.transactions.columns]
        empty = [c for c in columns if c not in absent and not self.has(c)]
        if absent:
            self.skipped.append({"check": check, "reason": f"no {' or '.join(absent)} column"})
        elif empty:
            self.skipped.append({"check": check, "reason": f"{' and '.join(empty)} column is empty"})
        else:
            body()

    def skip(self, check: str, reason: str) -> None:
        self.skipped.append({"check": check, "reason": reason})


def run_anomaly_detection(transactions: pd.DataFrame, options: AnomalyDetectionOptions | None = None) -> AnalysisResult:
    options = options or AnomalyDetectionOptions()
    parameters = json_safe(asdict(options))
    skipped_result = AnalysisResult.skipped_for_missing_columns(
        ANALYTICS_TYPE, parameters, transactions.columns, REQUIRED_COLUMNS
    )
    if skipped_result is not None:
        return skipped_result
    state = _Run(transactions, options, [], [], {})
    if len(transactions):
        _time_checks(state)
        _amount_checks(state)
        _entity_checks(state)
        _journal_checks(state)
        _benford_checks(state)
    flags = concat_flags(state.flags)
    if len(flags):
        flags = flags.sort_values(["row_number", "rule_code"], kind="stable", ignore_index=True)
    scores = rule_scores(flags)
    high_risk = int((scores >= options.high_risk_score).sum())
    summary = _summary(transactions, flags, high_risk)
    sections = _sections(state, flags, scores, parameters)
    return AnalysisResult(
        ANALYTICS_TYPE,
        status=COMPLETED,
        summary=summary,
        sections=json_safe(sections),
        flags=flags,
        parameters=parameters,
        skipped=state.skipped,
    )


# --- the checks -------------------------------------------------------------------------------


def holiday_calendar(transactions: pd.DataFrame, options: AnomalyDetectionOptions) -> dict[date, str]:
    if options.holiday_calendar is not None:
        return {date.fromisoformat(day): name for day, name in options.holiday_calendar}
    return rule_time.us_federal_holidays(rule_time.data_years(transactions), options.include_observed_holidays)


def _time_checks(state: _Run) -> None:
    tx, opts = state.transactions, state.options
    state.flags.append(rule_time.weekend_flags(tx))
    calendar = holiday_calendar(tx, opts)
    state.checks["HOLIDAY_POSTING"] = {
        "calendar": "custom" if opts.holiday_calendar is not None else "US federal",
        "holidays_in_calendar": len(calendar),
    }
    state.flags.append(rule_time.holiday_flags(tx, calendar))

    time_column = None
    if "entry_date" in tx.columns and rule_time.carries_times(tx["entry_date"]):
        time_column = "entry_date"
    elif rule_time.carries_times(tx["posting_date"]):
        time_column = "posting_date"
    if time_column is None:
        state.skip("AFTER_HOURS", "no time of day in entry_date or posting_date")
    else:
        state.checks["AFTER_HOURS"] = {"source_column": time_column}
        state.flags.append(
            rule_time.after_hours_flags(tx, time_column, opts.business_hours_start, opts.business_hours_end)
        )

    state.run(
        "BACKDATED_ENTRY",
        ("entry_date",),
        lambda: state.flags.append(rule_time.backdated_flags(tx, opts.backdated_days, opts.backdated_high_days)),
    )


def _amount_checks(state: _Run) -> None:
    tx, opts = state.transactions, state.options
    state.flags.append(rule_amount.round_amount_flags(tx, opts.round_floor, opts.round_base, opts.round_high_base))
    state.flags.append(rule_amount.just_below_limit_flags(tx, opts.approval_limits, opts.below_limit_band))
    for column, code in (("user", "USER_AMOUNT_OUTLIER"), ("account", "ACCOUNT_AMOUNT_OUTLIER")):

        def outliers(column: str = column, code: str = code) -> None:
            frame = tx.assign(**{column: _user_baseline(tx, opts.outlier_min_lines)}) if column == "user" else tx
            flags, stats = rule_amount.group_outlier_flags(
                frame,
                column,
                code,
                column,
                opts.outlier_min_lines,
                opts.outlier_medium_z,
                opts.outlier_high_z,
                opts.outlier_log_scale,
                opts.outlier_two_sided,
            )
            state.flags.append(flags)
            state.checks[code] = stats

        state.run(code, (column,), outliers)


def _user_baseline(tx: pd.DataFrame, min_lines: int) -> pd.Series:
    """The group a user's line is compared with: the user's own lines on that account when there are
    enough of them (a user's amounts differ widely between accounts), else all the user's lines."""
    if "account" not in tx.columns:
        return tx["user"]
    on_account = tx["user"] + " on account " + tx["account"]
    enough = on_account.map(on_account.value_counts()) >= min_lines
    return on_account.where(enough.fillna(False).astype(bool), tx["user"])


def _entity_checks(state: _Run) -> None:
    tx, opts = state.transactions, state.options

    def seldom() -> None:
        flags, stats, not_applicable = rule_entity.seldom_used_account_flags(
            tx, opts.seldom_account_max_lines, opts.seldom_account_typical_min_lines
        )
        state.checks["SELDOM_USED_ACCOUNT"] = stats
        if not_applicable:
            state.skip("SELDOM_USED_ACCOUNT", not_applicable)
        state.flags.append(flags)

    state.run("SELDOM_USED_ACCOUNT", ("account",), seldom)
    state.run(
        "UNUSUAL_USER_ACCOUNT",
        ("user", "account"),
        lambda: state.flags.append(
            rule_entity.unusual_user_account_flags(
                tx, opts.unusual_pair_max_lines, opts.unusual_pair_max_share, opts.unusual_pair_min_user_lines
            )
        ),
    )
    # An all-blank description column still means "present but empty", so only absence skips it.
    if "description" in tx.columns:
        state.flags.append(rule_entity.missing_description_flags(tx))
    else:
        state.skip("MISSING_DESCRIPTION", "no description column")
    state.run("SELF_APPROVED", ("user", "approver"), lambda: state.flags.append(rule_entity.self_approved_flags(tx)))


def _journal_checks(state: _Run) -> None:
    tx, opts = state.transactions, state.options

    def unbalanced() -> None:
        flags, stats, not_applicable = rule_journal.unbalanced_entry_flags(tx, opts.balance_tolerance)
        state.checks["UNBALANCED_ENTRY"] = stats
        if not_applicable:
            state.skip("UNBALANCED_ENTRY", not_applicable)
        state.flags.append(flags)

    def duplicates() -> None:
        flags, stats = rule_journal.je_duplicate_flags(tx)
        state.checks["JE_NUMBER_DUPLICATE"] = stats
        state.flags.append(flags)

    def gaps() -> None:
        found, stats = rule_journal.je_gaps(tx["je_number"], opts.je_gap_min_density)
        stats["listed"] = min(len(found), opts.max_reported_gaps)
        stats["list"] = found.drop(columns="pattern").head(opts.max_reported_gaps).to_dict("records")
        state.checks["JE_NUMBER_GAP"] = stats
        if stats["sequential_patterns"] == 0:
            state.skip("JE_NUMBER_GAP", "journal entry numbers do not follow a sequential numbering")
        state.flags.append(rule_journal.je_gap_flags(tx, found))

    for check, body in (("UNBALANCED_ENTRY", unbalanced), ("JE_NUMBER_DUPLICATE", duplicates), ("JE_NUMBER_GAP", gaps)):
        state.run(check, ("je_number",), body)


def _benford_checks(state: _Run) -> None:
    tx, opts = state.transactions, state.options
    amounts = tx["amount"].to_numpy(dtype="float64")
    leads = leading_digits(amounts, 2, opts.benford_min_abs_amount)
    eligible = int((leads > 0).sum())
    report: dict[str, Any] = {
        "eligible_amounts": eligible,
        "min_abs_amount": opts.benford_min_abs_amount,
        "min_rows_file": opts.benford_min_rows_file,
    }
    state.checks["benford"] = report
    if eligible < opts.benford_min_rows_file:
        state.skip(
            "benford_file",
            f"only {eligible} amounts ≥ {opts.benford_min_abs_amount:g} (needs {opts.benford_min_rows_file})",
        )
    else:
        report["first_digit"] = benford_test(amounts, 1, opts.benford_min_abs_amount).to_dict()
        report["first_two_digits"] = benford_test(amounts, 2, opts.benford_min_abs_amount).to_dict()
    settings = BenfordGroupSettings(
        opts.benford_min_rows_group,
        opts.benford_top_digits,
        opts.benford_min_digit_z,
        opts.benford_max_flags_per_group,
        opts.top_n,
    )
    for column in ("vendor", "user"):

        def by_group(column: str = column) -> None:
            flags, group_report = benford_group_flags(tx, column, column, leads, settings)
            report[f"by_{column}"] = group_report
            state.flags.append(flags)

        state.run(f"benford_by_{column}", (column,), by_group)


# --- summary and sections ---------------------------------------------------------------------


def _summary(transactions: pd.DataFrame, flags: pd.DataFrame, high_risk: int) -> dict[str, Any]:
    amounts = transactions["amount"].to_numpy(dtype="float64") if len(transactions) else np.zeros(0)
    summary: dict[str, Any] = {
        "total_transactions": int(len(transactions)),
        "total_amount": round(float(np.nansum(np.where(amounts > 0, amounts, 0.0))), 2),
        "flagged_transactions": int(flags["row_number"].nunique()),
        "high_risk_transactions": high_risk,
        "anomalies_found": int(len(flags)),
    }
    for column, key in (("user", "unique_users"), ("account", "unique_accounts")):
        if column in transactions.columns:
            summary[key] = int(text_values(transactions[column]).nunique())
    return summary


def _positions(transactions: pd.DataFrame, row_numbers: pd.Series | np.ndarray) -> np.ndarray:
    return pd.Index(transactions["row_number"].to_numpy()).get_indexer(np.asarray(row_numbers))


def _top_transactions(state: _Run, flags: pd.DataFrame, scores: pd.Series) -> list[dict[str, Any]]:
    if scores.empty:
        return []
    ranked = scores.reset_index().sort_values(["rule_score", "row_number"], ascending=[False, True])
    top = ranked.head(state.options.top_n)
    tx = state.transactions
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


def _flags_by_entity(state: _Run, flags: pd.DataFrame, column: str) -> list[dict[str, Any]]:
    """Top entities (users, accounts) by the rule score of their flags."""
    tx = state.transactions
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
    top = np.lexsort((-flag_count, -score))[: state.options.top_n]
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


def _temporal_patterns(state: _Run, flags: pd.DataFrame) -> dict[str, Any]:
    tx = state.transactions
    weekday = tx["posting_date"].dt.dayofweek.value_counts().reindex(range(7), fill_value=0)
    patterns: dict[str, Any] = {
        "postings_by_weekday": {rule_time.WEEKDAY_NAMES[d]: int(n) for d, n in weekday.items()},
    }
    holiday = flags[flags["rule_code"] == "HOLIDAY_POSTING"]
    if len(holiday):
        named = pd.Series([d["holiday"] + " " + d["posting_date"] for d in holiday["details"]]).value_counts()
        patterns["holiday_postings"] = {k: int(v) for k, v in named.head(state.options.top_n).items()}
    source = state.checks.get("AFTER_HOURS", {}).get("source_column")
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
                "over_limit": int((lag > state.options.backdated_days).sum()),
            }
    return patterns


def _sections(state: _Run, flags: pd.DataFrame, scores: pd.Series, parameters: dict[str, Any]) -> dict[str, Any]:
    codes = [r.code for r in rules_for(ANALYTICS_TYPE)]
    counts = flags["rule_code"].value_counts()
    rows_per_rule = flags.groupby("rule_code")["row_number"].nunique() if len(flags) else pd.Series(dtype="int64")
    severity = flags["severity"].value_counts()
    score_counts = scores.value_counts().sort_index(ascending=False)
    checks = dict(state.checks)
    benford = checks.pop("benford", {})
    je_gaps = checks.pop("JE_NUMBER_GAP", None)
    risk_assessment: dict[str, Any] = {
        "rule_counts": {code: int(counts.get(code, 0)) for code in codes},
        "rows_per_rule": {code: int(rows_per_rule.get(code, 0)) for code in codes},
        "severity_counts": {s: int(severity.get(s, 0)) for s in ("low", "medium", "high")},
        "thresholds": parameters,
        "skipped": state.skipped,
        "checks": checks,
        "high_risk_score": state.options.high_risk_score,
        "score_distribution": [{"rule_score": float(s), "rows": int(n)} for s, n in score_counts.items()],
        "top_transactions": _top_transactions(state, flags, scores),
        "benford": benford,
    }
    if je_gaps is not None:
        risk_assessment["je_number_gaps"] = je_gaps
    chart_data: dict[str, Any] = {
        "flags_by_rule": [{"rule_code": c, "title": RULES[c].title, "count": int(counts.get(c, 0))} for c in codes],
    }
    for key in ("first_digit", "first_two_digits"):
        if key in benford:
            chart_data[f"benford_{key}"] = [
                {"digit": p["digit"], "expected": p["expected"], "observed": p["observed"]}
                for p in benford[key]["proportions"]
            ]
    seldom = flags[flags["rule_code"] == "SELDOM_USED_ACCOUNT"]
    account_patterns: dict[str, Any] = {"top_flagged_accounts": _flags_by_entity(state, flags, "account")}
    if len(seldom):
        seldom_accounts = pd.DataFrame(list(seldom["details"])).drop_duplicates("account")
        account_patterns["seldom_used_accounts"] = seldom_accounts.head(state.options.top_n).to_dict("records")
        account_patterns["seldom_used_account_count"] = int(len(seldom_accounts))
    return {
        "risk_assessment": risk_assessment,
        "chart_data": chart_data,
        "temporal_patterns": _temporal_patterns(state, flags),
        "user_patterns": {"top_flagged_users": _flags_by_entity(state, flags, "user")},
        "account_patterns": account_patterns,
    }

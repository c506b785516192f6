"""The comparison of one file with the earlier files of its source: who and what is new, who is back
after a long silence, whose month of spend stands far above its own history, which documents were
already booked in an earlier file, and the file's months beside the source's earlier ones.

Pure: the file's transactions and the earlier files' aggregates (``History``) in, an AnalysisResult out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import iso_days, text_values
from fintrace_pipeline.analytics.flags import build_flags, flagged_summary, gather_flags, unflaggable_result
from fintrace_pipeline.analytics.history.contribution import (
    TOTAL,
    Contribution,
    entity_keys,
    file_contribution,
)
from fintrace_pipeline.analytics.history.history import History
from fintrace_pipeline.analytics.history.options import HistoryOptions
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.rules import PERIOD_COMPARISON, RULES, plural_s

MAD_TO_SIGMA = 1.4826  # MAD of a normal sample times this estimates its standard deviation
# A history whose months barely vary still allows for this share of its median as one sigma, so a
# steady vendor's slightly larger month is not an infinite z.
MIN_RELATIVE_SCALE = 0.05
SPEND_KINDS = {"vendor": "vendor", "account": "account", "user": "user"}  # kind -> label in reasons


def run_history_comparison(
    transactions: pd.DataFrame,
    options: HistoryOptions | None = None,
    history: History | None = None,
    contribution: Contribution | None = None,
) -> AnalysisResult:
    opts = options or HistoryOptions()
    history = history or History()
    parameters = {**opts.parameters(), "source": history.source, "earlier_files": len(history.files)}
    unusable = unflaggable_result(PERIOD_COMPARISON, parameters, transactions)
    if unusable is not None:
        return unusable
    frame = transactions.reset_index(drop=True)
    contribution = contribution or file_contribution(frame)
    sections: dict[str, Any] = {"temporal_patterns": monthly_totals(contribution, history, opts)}
    if history.empty:
        sections["risk_assessment"] = {"source": history.source, "earlier_files": []}
        return AnalysisResult(
            PERIOD_COMPARISON,
            summary={**flagged_summary(frame, gather_flags([]), 0), "anomalies_found": 0, "duplicates_found": 0},
            sections=sections,
            parameters=parameters,
            error_message=f"no earlier file of source {history.source!r} to compare with: this file starts its history",
        )
    comparison = _Comparison(frame, contribution, history, opts)
    run = RuleRun(frame)
    run.run_rule("HIST_NEW_VENDOR", comparison.new_vendors)
    run.run_rule("HIST_VENDOR_REACTIVATED", comparison.reactivated_vendors)
    run.run_rule("HIST_NEW_USER", comparison.new_users)
    run.run_rule("HIST_NEW_USER_ACCOUNT", lambda: comparison.new_pairs("user_account", "user", "HIST_NEW_USER_ACCOUNT"))
    run.run_rule(
        "HIST_NEW_VENDOR_ACCOUNT", lambda: comparison.new_pairs("vendor_account", "vendor", "HIST_NEW_VENDOR_ACCOUNT")
    )
    run.run_rule("HIST_SPEND_SHIFT", comparison.spend_shifts)
    run.run_rule("HIST_DUP_INVOICE", comparison.duplicate_invoices)
    run.run_rule("HIST_DUP_VENDOR_AMOUNT", comparison.duplicate_amounts)
    flags = gather_flags(comparison.flags)
    duplicates = int(flags.loc[flags["rule_code"].str.startswith("HIST_DUP"), "row_number"].nunique())
    summary = {
        **flagged_summary(frame, flags, int(flags.loc[flags["severity"] == "high", "row_number"].nunique())),
        "anomalies_found": int(len(flags)),
        "duplicates_found": duplicates,
    }
    sections["risk_assessment"] = {
        "source": history.source,
        "earlier_files": _records(history.files.sort_values("period_start")),
        **comparison.listings,
        "flags_by_rule": {str(k): int(v) for k, v in flags["rule_code"].value_counts().items()},
    }
    return AnalysisResult(
        PERIOD_COMPARISON,
        summary=summary,
        sections=sections,
        flags=flags,
        parameters=parameters,
        skipped=run.skipped,
    )


def monthly_totals(contribution: Contribution, history: History, opts: HistoryOptions) -> dict[str, Any]:
    """The file's lines and gross amount per month, and the same for the source's earlier months."""

    def months(frame: pd.DataFrame) -> list[dict[str, Any]]:
        totals = frame[frame["kind"] == TOTAL].groupby("month", sort=True)[["rows", "total"]].sum()
        return [{"month": m, "rows": int(r.rows), "total": round(float(r.total), 2)} for m, r in totals.iterrows()]

    earlier = months(history.monthly)[-opts.history_months_listed :]
    return {"file_months": months(contribution.monthly), "earlier_months": earlier}


def month_number(months: pd.Series) -> np.ndarray:
    """'YYYY-MM' as a count of months, so differences are whole months."""
    text = months.astype(str)
    return text.str[:4].astype(int).to_numpy() * 12 + text.str[5:7].astype(int).to_numpy()


@dataclass
class _Entities:
    """One kind's history per key: first and last day seen, months with activity."""

    first_date: pd.Series
    last_date: pd.Series
    months: pd.Series


class _Comparison:
    def __init__(self, frame: pd.DataFrame, contribution: Contribution, history: History, opts: HistoryOptions):
        self.frame = frame
        self.contribution = contribution
        self.history = history
        self.opts = opts
        self.dates = pd.to_datetime(frame["posting_date"])
        self.gross = frame["amount"].astype("float64").abs()
        self.keys = entity_keys(frame)
        self.flags: list[pd.DataFrame] = []
        self.listings: dict[str, Any] = {}
        self._names: dict[str, pd.Series] = {}
        files = history.files
        self.earlier_files = len(files)
        self.since = _day(pd.to_datetime(files["period_start"]).min())
        grouped = history.monthly.groupby(["kind", "key"], sort=False)
        self.entities = grouped.agg(
            first_date=("first_date", "min"), last_date=("last_date", "max"), months=("month", "nunique")
        )

    # -- helpers ---------------------------------------------------------------------------------
    def known(self, kind: str) -> _Entities:
        if kind in self.entities.index.get_level_values(0):
            table = self.entities.xs(kind, level="kind")
        else:
            table = pd.DataFrame(columns=["first_date", "last_date", "months"], index=pd.Index([], name="key"))
        return _Entities(pd.to_datetime(table["first_date"]), pd.to_datetime(table["last_date"]), table["months"])

    def names(self, kind: str) -> pd.Series:
        """Per key, the spelling of its first line in the file (what a person recognises)."""
        if kind not in self._names:
            self._names[kind] = text_values(self.frame[kind]).groupby(self.keys[kind]).first()
        return self._names[kind]

    def _per_key(self, mask: pd.Series, key: pd.Series) -> pd.DataFrame:
        rows = pd.DataFrame({"key": key[mask], "gross": self.gross[mask], "date": self.dates[mask]})
        return rows.groupby("key").agg(lines=("gross", "size"), total=("gross", "sum"), first=("date", "min"))

    def _flag_keyed(
        self, code: str, mask: pd.Series, key: pd.Series, values: dict[str, Any], severity: Any = None
    ) -> None:
        rows = np.flatnonzero(mask.to_numpy())
        if len(rows) == 0:
            return
        per = self._per_key(mask, key)
        row_keys = key.iloc[rows]
        lines = per["lines"].reindex(row_keys).to_numpy()
        totals = per["total"].reindex(row_keys).round(2).to_numpy()
        filled = {
            slot: (value.reindex(row_keys).to_numpy() if isinstance(value, pd.Series) else value)
            for slot, value in values.items()
        }
        slots = RULES[code].slots()
        if "lines" in slots:
            filled.update(lines=lines.astype(int).tolist(), ls=plural_s(lines.astype(int).tolist()), total=totals)
        details = [
            {"key": str(k), "lines": int(n), "total": float(t)} for k, n, t in zip(row_keys, lines, totals, strict=True)
        ]
        reasons = RULES[code].reasons(len(rows), **{k: v for k, v in filled.items() if k in slots})
        sev = severity.iloc[rows].to_numpy() if isinstance(severity, pd.Series) else severity
        self.flags.append(build_flags(self.frame["row_number"].to_numpy()[rows], code, reasons, details, severity=sev))

    # -- what is new or back -------------------------------------------------------------------------
    def new_vendors(self) -> None:
        key = self.keys["vendor"]
        known = self.known("vendor")
        new = key.notna() & ~key.isin(known.first_date.index)
        per = self._per_key(new, key)
        # A new vendor whose spend here reaches the source's usual large vendor-month is one level up.
        months = self.history.monthly
        vendor_months = months.loc[months["kind"] == "vendor", "total"].astype("float64")
        large = float(vendor_months.quantile(0.9)) if len(vendor_months) else np.inf
        severity = pd.Series(
            np.where(
                key.map(per["total"]).fillna(0).to_numpy() >= large,
                RULES["HIST_NEW_VENDOR"].severity_step(1),
                RULES["HIST_NEW_VENDOR"].severity,
            ),
            index=key.index,
        )
        self._flag_keyed(
            "HIST_NEW_VENDOR",
            new,
            key,
            {
                "vendor": self.names("vendor"),
                "files": self.earlier_files,
                "s": _s(self.earlier_files),
                "since": self.since,
            },
            severity,
        )
        names = self.names("vendor")
        listed = per.sort_values("total", ascending=False).head(self.opts.history_top_n)
        self.listings["new_vendors"] = [
            {
                "vendor": str(names.get(k, k)),
                "lines": int(r.lines),
                "total": round(float(r.total), 2),
                "first": _day(r.first),
                "large": bool(r.total >= large),
            }
            for k, r in listed.iterrows()
        ]
        self.listings["new_vendor_count"] = int(len(per))

    def reactivated_vendors(self) -> None:
        key = self.keys["vendor"]
        known = self.known("vendor")
        first_here = self.dates.groupby(key).min()
        both = first_here.index.intersection(known.last_date.index)
        last_seen = known.last_date.reindex(both)
        gap = (
            month_number(first_here.reindex(both).dt.strftime("%Y-%m"))
            - month_number(last_seen.dt.strftime("%Y-%m"))
            - 1
        )
        gaps = pd.Series(gap, index=both)
        back = gaps[(gaps >= self.opts.dormant_months) & (first_here.reindex(both) > last_seen)]
        mask = key.isin(back.index) & key.notna()
        self._flag_keyed(
            "HIST_VENDOR_REACTIVATED",
            mask,
            key,
            {
                "vendor": self.names("vendor"),
                "months": back,
                "s": pd.Series(plural_s(back.astype(int).tolist()), index=back.index),
                "last_seen": last_seen.reindex(back.index).map(_day),
                "first": first_here.reindex(back.index).map(_day),
            },
        )
        per = self._per_key(mask, key)
        names = self.names("vendor")
        self.listings["reactivated_vendors"] = [
            {
                "vendor": str(names.get(k, k)),
                "silent_months": int(back[k]),
                "last_seen": _day(last_seen[k]),
                "first": _day(first_here[k]),
                "lines": int(per.loc[k, "lines"]),
                "total": round(float(per.loc[k, "total"]), 2),
            }
            for k in back.sort_values(ascending=False).index[: self.opts.history_top_n]
        ]

    def new_users(self) -> None:
        key = self.keys["user"]
        known = self.known("user")
        new = key.notna() & ~key.isin(known.first_date.index)
        self._flag_keyed(
            "HIST_NEW_USER",
            new,
            key,
            {"user": self.names("user"), "files": self.earlier_files, "s": _s(self.earlier_files)},
        )
        names = self.names("user")
        per = self._per_key(new, key)
        self.listings["new_users"] = [
            {"user": str(names.get(k, k)), "lines": int(r.lines), "first": _day(r.first)}
            for k, r in per.sort_values("lines", ascending=False).head(self.opts.history_top_n).iterrows()
        ]

    def new_pairs(self, kind: str, owner: str, code: str) -> None:
        """Lines whose known ``owner`` (user or vendor) meets an account it never met before."""
        pair = self.keys[kind]
        owner_key = self.keys[owner]
        known_owner = self.known(owner)
        new = (
            pair.notna() & ~pair.isin(self.known(kind).first_date.index) & owner_key.isin(known_owner.first_date.index)
        )
        account = text_values(self.frame["account"])
        rows = np.flatnonzero(new.to_numpy())
        owner_names = text_values(self.frame[owner])
        # Only the flagged lines' dates are put in words (every owner here is known, so has one).
        since = pd.to_datetime(owner_key.iloc[rows].map(known_owner.first_date)).dt.strftime("%Y-%m-%d")
        reasons = RULES[code].reasons(
            len(rows),
            **{
                owner: owner_names.iloc[rows].tolist(),
                "since": since.tolist(),
                "account": account.iloc[rows].tolist(),
            },
        )
        details = [
            {owner: str(o), "account": str(a)} for o, a in zip(owner_names.iloc[rows], account.iloc[rows], strict=True)
        ]
        if len(rows):
            self.flags.append(build_flags(self.frame["row_number"].to_numpy()[rows], code, reasons, details))
        distinct = pd.DataFrame({owner: owner_names[new], "account": account[new]}).drop_duplicates()
        self.listings.setdefault("new_pairs", {})[kind] = {
            "count": int(len(distinct)),
            "examples": _records(distinct.head(self.opts.history_top_n)),
        }

    # -- spend against its own history ---------------------------------------------------------------
    def spend_shifts(self) -> None:
        months = self.history.monthly
        here = self.contribution.monthly
        tested: list[pd.DataFrame] = []
        for kind, label in SPEND_KINDS.items():
            if kind not in self.keys:
                continue
            past = months[months["kind"] == kind].astype({"total": "float64"})
            stats = past.groupby("key")["total"].agg(["median", "size"])
            deviation = (past["total"] - past["key"].map(stats["median"])).abs()
            stats["mad"] = deviation.groupby(past["key"]).median()
            current = here[here["kind"] == kind].merge(stats, left_on="key", right_index=True)
            current = current[current["size"] >= self.opts.history_min_months]
            if current.empty:
                continue
            scale = np.maximum.reduce(
                [
                    MAD_TO_SIGMA * current["mad"].to_numpy(),
                    MIN_RELATIVE_SCALE * current["median"].to_numpy(),
                    np.full(len(current), 0.01),
                ]
            )
            current = current.assign(
                label=label,
                z=(current["total"].to_numpy() - current["median"].to_numpy()) / scale,
                ratio=current["total"].to_numpy() / np.maximum(current["median"].to_numpy(), 0.01),
            )
            tested.append(current)
        if not tested:
            self.listings["spend_changes"] = []
            return
        tested_all = pd.concat(tested, ignore_index=True)
        shifted = tested_all[
            (tested_all["z"] >= self.opts.history_spend_z) & (tested_all["ratio"] >= self.opts.history_spend_min_ratio)
        ]
        for row in shifted.itertuples(index=False):
            self._flag_shift(row)
        biggest = tested_all.reindex(tested_all["z"].abs().sort_values(ascending=False).index).head(
            self.opts.history_top_n
        )
        # Each listed change's earlier months, for its sparkline: one pass over the history.
        listed = months.merge(biggest[["kind", "key"]].drop_duplicates(), on=["kind", "key"]).sort_values("month")
        series = {
            kind_key: [{"month": m, "total": round(float(t), 2)} for m, t in zip(g["month"], g["total"], strict=True)]
            for kind_key, g in listed.groupby(["kind", "key"], sort=False)
        }
        self.listings["spend_changes"] = [
            self._change(row, series.get((row.kind, row.key), [])) for row in biggest.itertuples(index=False)
        ]
        self.listings["spend_shift_count"] = int(len(shifted))

    def _flag_shift(self, row) -> None:
        key = self.keys[row.kind]
        month = self.dates.dt.strftime("%Y-%m")
        members = np.flatnonzero(((key == row.key) & (month == row.month)).fillna(False).to_numpy())
        largest = members[np.argsort(-self.gross.to_numpy()[members], kind="stable")][
            : self.opts.history_spend_rows_flagged
        ]
        rule = RULES["HIST_SPEND_SHIFT"]
        severity = rule.severity_step(1) if row.z >= 2 * self.opts.history_spend_z else rule.severity
        name = str(self.names(row.kind).get(row.key, row.key))
        amounts = self.frame["amount"].to_numpy(dtype="float64")[largest]
        reasons = rule.reasons(
            len(largest),
            amount=amounts.tolist(),
            label=row.label,
            name=name,
            month=row.month,
            total=float(row.total),
            ratio=float(row.ratio),
            median=float(row.median),
            months=int(row.size),
            z=float(row.z),
        )
        details = {
            "kind": row.kind,
            "key": str(row.key),
            "month": row.month,
            "total": round(float(row.total), 2),
            "median": round(float(row.median), 2),
            "mad": round(float(row.mad), 2),
            "z": round(float(row.z), 2),
            "months": int(row.size),
        }
        self.flags.append(
            build_flags(
                self.frame["row_number"].to_numpy()[largest],
                "HIST_SPEND_SHIFT",
                reasons,
                [details] * len(largest),
                severity=severity,
            )
        )

    def _change(self, row, series: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "kind": row.kind,
            "name": str(self.names(row.kind).get(row.key, row.key)),
            "month": row.month,
            "total": round(float(row.total), 2),
            "median": round(float(row.median), 2),
            "ratio": round(float(row.ratio), 2),
            "z": round(float(row.z), 2),
            "months": int(row.size),
            "history": series[-self.opts.history_months_listed :],
        }

    # -- documents already booked in an earlier file ---------------------------------------------------
    def _matches(self, kind: str) -> pd.DataFrame:
        here = self.contribution.documents
        here = here[here["kind"] == kind]
        earlier = self.history.documents
        earlier = earlier[earlier["kind"] == kind]
        matched = here.merge(earlier, on=["kind", "match_key"], suffixes=("", "_earlier"))
        if matched.empty:
            return matched
        matched["posting_date"] = pd.to_datetime(matched["posting_date"])
        matched["posting_date_earlier"] = pd.to_datetime(matched["posting_date_earlier"])
        matched["days"] = (matched["posting_date"] - matched["posting_date_earlier"]).abs().dt.days
        return matched

    def duplicate_invoices(self) -> None:
        matched = self._matches("invoice")
        if not matched.empty:
            matched = matched.sort_values(["row_number", "posting_date_earlier", "row_number_earlier"]).drop_duplicates(
                "row_number"
            )
        self._flag_duplicates("HIST_DUP_INVOICE", matched)

    def duplicate_amounts(self) -> None:
        matched = self._matches("amount")
        if not matched.empty:
            already = set()
            for frame in self.flags:
                if len(frame) and frame["rule_code"].iloc[0] == "HIST_DUP_INVOICE":
                    already |= set(frame["row_number"].tolist())
            invoices_differ = (
                matched["invoice"].notna()
                & matched["invoice_earlier"].notna()
                & (matched["invoice"].astype(str) != matched["invoice_earlier"].astype(str))
            )
            matched = matched[
                (matched["days"] <= self.opts.history_duplicate_days)
                & ~invoices_differ
                & ~matched["row_number"].isin(already)
            ]
            matched = matched.sort_values(["row_number", "days", "row_number_earlier"]).drop_duplicates("row_number")
        self._flag_duplicates("HIST_DUP_VENDOR_AMOUNT", matched)

    def _flag_duplicates(self, code: str, matched: pd.DataFrame) -> None:
        listing = self.listings.setdefault("cross_file_duplicates", [])
        if matched.empty:
            return
        position = pd.Series(np.arange(len(self.frame)), index=self.frame["row_number"].to_numpy())
        at = position.reindex(matched["row_number"].to_numpy()).to_numpy()
        vendor = text_values(self.frame["vendor"]).to_numpy(dtype=object)[at]
        invoice = (
            text_values(self.frame["invoice_number"]).to_numpy(dtype=object)[at]
            if "invoice_number" in self.frame.columns
            else np.full(len(at), None, dtype=object)
        )
        amounts = self.frame["amount"].to_numpy(dtype="float64")[at]
        earlier_days = iso_days(matched["posting_date_earlier"].to_numpy())
        days_here = iso_days(matched["posting_date"].to_numpy())
        values = {
            "vendor": vendor.tolist(),
            "invoice": invoice.tolist(),
            "amount": amounts.tolist(),
            "date": days_here.tolist(),
            "earlier_file": matched["file_name"].astype(str).tolist(),
            "earlier_row": matched["row_number_earlier"].astype(int).tolist(),
            "earlier_date": earlier_days.tolist(),
            "earlier_amount": matched["amount_earlier"].astype(float).tolist(),
            "days": matched["days"].astype(int).tolist(),
            "s": plural_s(matched["days"].astype(int).tolist()),
        }
        rule = RULES[code]
        reasons = rule.reasons(len(matched), **{k: v for k, v in values.items() if k in rule.slots()})
        details = [
            {"earlier_file_id": str(f), "earlier_file": n, "earlier_row": int(r), "earlier_date": d, "days": int(g)}
            for f, n, r, d, g in zip(
                matched["data_file_id"],
                values["earlier_file"],
                values["earlier_row"],
                earlier_days,
                values["days"],
                strict=True,
            )
        ]
        self.flags.append(build_flags(matched["row_number"].to_numpy(), code, reasons, details))
        for i in range(min(len(matched), self.opts.history_top_n)):
            listing.append(
                {
                    "rule_code": code,
                    "row_number": int(matched["row_number"].iloc[i]),
                    "vendor": vendor[i],
                    "invoice": invoice[i],
                    "amount": float(amounts[i]),
                    "date": days_here[i],
                    **details[i],
                }
            )


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _day(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict("records"):
        out.append({k: (_day(v) if isinstance(v, pd.Timestamp) else v) for k, v in row.items()})
    return out

"""History rules: what an entity does in one period against what it does in the rest of the file.

- A vendor's volume per calendar week: its new documents in a week (settlements of earlier ones not
  counted) against what its share of the other weeks predicts for that week's volume, by a Poisson
  test whose bound holds for all the file's vendor-weeks together (Bonferroni).
- A user's amounts over a period: each line against the user's own lines on that account and side; the
  period of 7 to 28 days in which the user's lines stand highest (a scan over windows), if it stands
  far beyond chance and by a margin that matters; within it, the accounts whose amounts rose; and the
  documents that later pay one of those lines' documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import poisson

from fintrace_pipeline.analytics.columns import iso_days, text_values
from fintrace_pipeline.analytics.flags import build_flags
from fintrace_pipeline.analytics.options import Options
from fintrace_pipeline.analytics.rules.amount import MAD_SCALE
from fintrace_pipeline.analytics.rules.common import RuleRun
from fintrace_pipeline.analytics.rules.vendor_documents import VendorDocuments, vendor_documents
from fintrace_pipeline.findings import empty_flags
from fintrace_pipeline.rules import RULES

DAY_KEY = np.int64(1) << 32  # combines (entity, day) into one int64 key


@dataclass(frozen=True)
class HistoryRuleOptions(Options):
    volume_min_documents: int = 5  # a vendor's week with fewer new documents is never unusual
    volume_min_history: int = 10  # the vendor's documents in other weeks needed to say what is usual
    # The chance that a file shows one such week by chance at all (the bound covers every vendor-week).
    volume_alpha: float = 0.05
    shift_min_lines: int = 20  # a user's lines on one account and side needed to say what is usual
    shift_window_days: tuple[int, ...] = (7, 10, 14, 21, 28)
    shift_min_window_lines: int = 10
    # The period's lines, each in robust z against its own history: their sum over the root of their
    # count, from which the period stands beyond chance among the file's thousands of periods ...
    shift_min_z: float = 6.5
    shift_min_ratio: float = 1.3  # ... and their amounts at least this multiple of the usual on average
    # An account of the user's in that period counts as risen from this multiple and this z.
    shift_account_min_ratio: float = 1.5
    shift_account_min_z: float = 3.0


def check_history_rules(run: RuleRun, options: HistoryRuleOptions) -> None:
    tx = run.transactions
    run.run_rule("VENDOR_VOLUME_SPIKE", lambda: run.record("VENDOR_VOLUME_SPIKE", *vendor_volume_flags(tx, options)))
    run.run_rule("USER_AMOUNT_SHIFT", lambda: run.record("USER_AMOUNT_SHIFT", *amount_shift_flags(tx, options)))


# ---- a vendor's volume per week -------------------------------------------------------------------


def _week(days: np.ndarray) -> np.ndarray:
    """The Monday-based week of each day, as days since the epoch of its Monday."""
    number = days.astype("datetime64[D]").astype(np.int64)
    return number - (number + 3) % 7


def vendor_volume_flags(transactions: pd.DataFrame, options: HistoryRuleOptions) -> tuple[pd.DataFrame, dict]:
    """Every line of a vendor's new documents in a week where it has far more of them than usual."""
    docs = vendor_documents(transactions)
    new = np.flatnonzero(docs.settles < 0)
    stats: dict[str, Any] = {"documents": int(len(docs)), "new_documents": int(len(new))}
    if not len(new):
        return empty_flags(), stats
    vendor_code, vendors = pd.factorize(pd.Series(docs.vendor[new], dtype=object))
    week = _week(docs.day[new])
    cell, cell_index = np.unique(vendor_code.astype(np.int64) * DAY_KEY + (week - week.min()), return_inverse=True)
    count = np.bincount(cell_index)
    cell_vendor = cell // DAY_KEY
    cell_week = cell % DAY_KEY + week.min()
    vendor_total = np.bincount(vendor_code, minlength=len(vendors))[cell_vendor]
    week_codes, week_index = np.unique(cell_week, return_inverse=True)
    week_total = np.bincount(week_index, weights=count).astype(np.int64)[week_index]
    everything = len(new)
    # The vendor's documents elsewhere, at its ratio to the other vendors' there, applied to theirs this week.
    elsewhere = vendor_total - count
    others_elsewhere = everything - week_total - elsewhere
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.where(others_elsewhere > 0, elsewhere * (week_total - count) / others_elsewhere, 0.0)
    tested = (count >= options.volume_min_documents) & (elsewhere >= options.volume_min_history) & (expected > 0)
    tests = int(tested.sum())
    p = np.ones(len(cell))
    p[tested] = poisson.sf(count[tested] - 1, expected[tested])
    spike = tested & (p * max(tests, 1) <= options.volume_alpha)
    stats.update({"vendor_weeks_tested": tests, "vendor_weeks_flagged": int(spike.sum())})
    if not spike.any():
        return empty_flags(), stats
    doc_cell = np.full(len(docs), -1, dtype=np.int64)
    doc_cell[new] = cell_index
    line_cell = np.where(docs.line_document >= 0, doc_cell[np.maximum(docs.line_document, 0)], -1)
    hit = np.flatnonzero((line_cell >= 0) & spike[np.maximum(line_cell, 0)])
    c = line_cell[hit]
    monday = week_codes[np.searchsorted(week_codes, cell_week[c])].astype("datetime64[D]")
    units = "entries" if "je_number" in transactions.columns else "lines"
    names = vendors.to_numpy(dtype=object)[cell_vendor[c]].tolist()
    rule = RULES["VENDOR_VOLUME_SPIKE"]
    reasons = rule.reasons(
        len(hit),
        vendor=names,
        documents=count[c].tolist(),
        units=units,
        week=iso_days(monday).tolist(),
        expected=expected[c].tolist(),
        p=p[c].tolist(),
        tests=tests,
    )
    details = [
        {
            "vendor": name,
            "week_of": week_day,
            "documents": int(n),
            "expected": round(float(e), 3),
            "p_value": float(pv),
            "vendor_weeks_tested": tests,
        }
        for name, week_day, n, e, pv in zip(names, iso_days(monday).tolist(), count[c], expected[c], p[c], strict=True)
    ]
    return build_flags(transactions["row_number"].to_numpy()[hit], "VENDOR_VOLUME_SPIKE", reasons, details), stats


# ---- a user's amounts over a period ---------------------------------------------------------------


@dataclass(frozen=True)
class _Lines:
    """The lines judged: positions in the file, user, baseline group, day, log deviation, z."""

    position: np.ndarray
    user: np.ndarray
    group: np.ndarray
    day: np.ndarray
    deviation: np.ndarray
    z: np.ndarray
    median: np.ndarray  # the group's median amount, per line


def _judged_lines(transactions: pd.DataFrame, options: HistoryRuleOptions) -> tuple[_Lines, np.ndarray, np.ndarray]:
    """Each line with a usual size of its own (user, account, side with enough lines) against it; with
    the user names and the group names (user, side, account)."""
    signed = transactions["amount"].to_numpy(dtype="float64")
    magnitude = np.abs(signed)
    user = text_values(transactions["user"])
    keys = {"user": user, "side": pd.Series(np.where(signed > 0, "debits", "credits"), index=transactions.index)}
    if "account" in transactions.columns:
        keys["account"] = text_values(transactions["account"])
    frame = pd.DataFrame(keys)
    usable = frame.notna().all(axis=1).to_numpy() & (magnitude > 0) & np.isfinite(magnitude)
    position = np.flatnonzero(usable)
    group, group_keys = pd.MultiIndex.from_frame(frame.iloc[position]).factorize()
    sizes = np.bincount(group, minlength=len(group_keys))
    enough = sizes[group] >= options.shift_min_lines
    position, group = position[enough], group[enough]
    x = np.log(magnitude[position])
    by_group = pd.Series(x).groupby(group)
    median = by_group.transform("median").to_numpy()
    deviation = x - median
    mad = pd.Series(np.abs(deviation)).groupby(group).transform("median").to_numpy()
    spread = np.maximum(mad / MAD_SCALE, 0.1)
    z = np.clip(deviation / spread, -3.0, 3.0)
    user_code, users = pd.factorize(user.iloc[position].to_numpy(dtype=object))
    # On the user's own scale, so that a user whose lines spread more is judged by that spread.
    mean = pd.Series(z).groupby(user_code).transform("mean").to_numpy()
    sd = pd.Series(z).groupby(user_code).transform("std").to_numpy()
    z = np.where(sd > 0, (z - mean) / np.where(sd > 0, sd, 1.0), 0.0)
    day = transactions["posting_date"].to_numpy().astype("datetime64[D]").astype(np.int64)[position]
    lines = _Lines(position, user_code.astype(np.int64), group.astype(np.int64), day, deviation, z, np.exp(median))
    return lines, np.asarray(users, dtype=object), np.asarray(group_keys.to_list(), dtype=object)


def _best_periods(lines: _Lines, options: HistoryRuleOptions) -> pd.DataFrame:
    """Per user, the window of the file's days in which the user's lines stand highest, where it stands
    beyond the bounds (user, first, last day, lines, z, ratio)."""
    key = lines.user * DAY_KEY + lines.day
    cells, index = np.unique(key, return_inverse=True)
    sums = {
        "z": np.bincount(index, weights=lines.z),
        "d": np.bincount(index, weights=lines.deviation),
        "n": np.bincount(index).astype(np.float64),
    }
    running = {name: np.concatenate([[0.0], np.cumsum(values)]) for name, values in sums.items()}
    found = []
    for days in options.shift_window_days:
        # The window's first cell: days are counted from the epoch, so the key never reaches another user.
        start = np.searchsorted(cells, cells - (days - 1), side="left")
        end = np.arange(1, len(cells) + 1)
        n = running["n"][end] - running["n"][start]
        total_z = running["z"][end] - running["z"][start]
        ratio = np.exp((running["d"][end] - running["d"][start]) / np.maximum(n, 1))
        window_z = total_z / np.sqrt(np.maximum(n, 1))
        ok = n >= options.shift_min_window_lines
        ok &= (window_z >= options.shift_min_z) & (ratio >= options.shift_min_ratio)
        found.append(
            pd.DataFrame(
                {
                    "user": cells[ok] // DAY_KEY,
                    "first": cells[ok] % DAY_KEY - (days - 1),
                    "last": cells[ok] % DAY_KEY,
                    "lines": n[ok].astype(np.int64),
                    "z": window_z[ok],
                    "ratio": ratio[ok],
                }
            )
        )
    periods = pd.concat(found, ignore_index=True)
    if periods.empty:
        return periods
    best = periods.sort_values(["z", "last"], ascending=[False, True]).drop_duplicates("user")
    return best.sort_values("user").reset_index(drop=True)


def amount_shift_flags(transactions: pd.DataFrame, options: HistoryRuleOptions) -> tuple[pd.DataFrame, dict]:
    """The lines of a user's risen accounts in the user's shifted period, and the documents paying them."""
    lines, users, groups = _judged_lines(transactions, options)
    stats: dict[str, Any] = {"lines_judged": int(len(lines.position)), "users": int(len(users))}
    periods = _best_periods(lines, options) if len(lines.position) else pd.DataFrame()
    stats["users_shifted"] = int(len(periods))
    if periods.empty:
        return empty_flags(), stats
    facts: list[pd.DataFrame] = []
    for period in periods.itertuples(index=False):
        own = lines.user == period.user
        inside = np.flatnonzero(own & (lines.day >= period.first) & (lines.day <= period.last))
        risen = _risen_groups(lines, inside, options).index.to_numpy()
        in_risen = own & np.isin(lines.group, risen)
        first, last = _bounds(lines, in_risen, period.first, period.last, options)
        inside = np.flatnonzero(own & (lines.day >= first) & (lines.day <= last))
        summary = _group_summary(lines, inside).loc[risen]
        take = inside[np.isin(lines.group[inside], risen)]
        facts.append(
            pd.DataFrame(
                {
                    "at": take,
                    "group_lines": summary.loc[lines.group[take], "n"].to_numpy(),
                    "group_ratio": summary.loc[lines.group[take], "ratio"].to_numpy(),
                    "group_z": summary.loc[lines.group[take], "z"].to_numpy(),
                    "first": first,
                    "last": last,
                    "period_lines": len(inside),
                    "period_ratio": float(np.exp(lines.deviation[inside].mean())),
                    "period_z": float(lines.z[inside].sum() / np.sqrt(len(inside))),
                }
            )
        )
    fact = pd.concat(facts, ignore_index=True)
    if fact.empty:
        return empty_flags(), stats
    own = _own_flags(transactions, lines, groups, fact)
    paying = _settlement_flags(transactions, lines, groups, fact)
    stats["lines_flagged"] = int(len(own))
    stats["settlements_flagged"] = int(len(paying))
    return pd.concat([own, paying], ignore_index=True), stats


def _group_summary(lines: _Lines, inside: np.ndarray) -> pd.DataFrame:
    """Per baseline group of the lines at ``inside``: lines, z (sum over root of count), mean ratio."""
    per_group = pd.DataFrame({"g": lines.group[inside], "z": lines.z[inside], "d": lines.deviation[inside]})
    summary = per_group.groupby("g").agg(n=("z", "size"), z=("z", "sum"), d=("d", "mean"))
    summary["z"] = summary["z"] / np.sqrt(summary["n"])
    summary["ratio"] = np.exp(summary["d"])
    return summary


def _risen_groups(lines: _Lines, inside: np.ndarray, options: HistoryRuleOptions) -> pd.DataFrame:
    """The baseline groups (a user's account and side) whose lines at ``inside`` rose."""
    summary = _group_summary(lines, inside)
    risen = (summary["ratio"] >= options.shift_account_min_ratio) & (summary["z"] >= options.shift_account_min_z)
    return summary[risen]


def _bounds(lines: _Lines, chosen: np.ndarray, first: int, last: int, options: HistoryRuleOptions) -> tuple[int, int]:
    """The period's first and last day moved to where the ``chosen`` lines (the risen accounts') change
    from their usual size to a risen one and back, within the longest window either side of the window
    that stood highest (which can start after a shift that rises gradually, or take in a few ordinary
    days). A cumulative-sum change point: each line counts its log deviation less half the log of the
    ratio from which an account counts as risen (a CUSUM's reference, halfway between the usual size and
    the smallest rise that matters), and the period is the run of days whose sum is largest."""
    reference = np.log(options.shift_account_min_ratio) / 2
    reach = max(options.shift_window_days)
    near = chosen & (lines.day >= first - reach) & (lines.day <= last + reach)
    days, index = np.unique(lines.day[near], return_inverse=True)
    if not len(days):
        return first, last
    gain = np.bincount(index, weights=lines.deviation[near] - reference)
    total = np.concatenate([[0.0], np.cumsum(gain)])  # total[i]: the days before days[i]
    # The best run [i, j]: the largest total[j + 1] - total[i], with i at or before the window's first day
    # and j at or after its last, so the run always holds the window.
    i_max = int(np.searchsorted(days, first, side="right"))
    j_min = max(int(np.searchsorted(days, last, side="left")), 0)
    start = int(np.argmin(total[: max(i_max, 1)]))
    end = j_min + int(np.argmax(total[j_min + 1 :])) if j_min < len(days) else len(days) - 1
    return int(days[min(start, len(days) - 1)]), int(days[max(end, start)])


def _group_words(groups: np.ndarray, group: np.ndarray) -> tuple[list[str], list[str]]:
    """(user, what: "debits to account 6200" or "debits") per line of ``group``."""
    keys = groups[group]
    users = [k[0] for k in keys]
    what = [f"{k[1]} to account {k[2]}" if len(k) > 2 else k[1] for k in keys]
    return users, what


def _period_slots(fact: pd.DataFrame) -> dict[str, Any]:
    return {
        "first": iso_days(fact["first"].to_numpy().astype("datetime64[D]")).tolist(),
        "last": iso_days(fact["last"].to_numpy().astype("datetime64[D]")).tolist(),
        "lines": fact["group_lines"].astype(np.int64).tolist(),
        "ratio": fact["group_ratio"].tolist(),
        "z": fact["group_z"].tolist(),
        "period_ratio": fact["period_ratio"].tolist(),
    }


def _details(fact: pd.DataFrame, user: list[str], what: list[str]) -> list[dict[str, Any]]:
    first = iso_days(fact["first"].to_numpy().astype("datetime64[D]")).tolist()
    last = iso_days(fact["last"].to_numpy().astype("datetime64[D]")).tolist()
    return [
        {
            "user": u,
            "lines_of": w,
            "period_first": f,
            "period_last": la,
            "lines_in_period": int(n),
            "ratio_in_period": round(float(r), 3),
            "z_in_period": round(float(z), 2),
            "user_lines_in_period": int(pn),
            "user_ratio_in_period": round(float(pr), 3),
            "user_z_in_period": round(float(pz), 2),
        }
        for u, w, f, la, n, r, z, pn, pr, pz in zip(
            user,
            what,
            first,
            last,
            fact["group_lines"],
            fact["group_ratio"],
            fact["group_z"],
            fact["period_lines"],
            fact["period_ratio"],
            fact["period_z"],
            strict=True,
        )
    ]


def _own_flags(transactions: pd.DataFrame, lines: _Lines, groups: np.ndarray, fact: pd.DataFrame) -> pd.DataFrame:
    at = fact["at"].to_numpy()
    user, what = _group_words(groups, lines.group[at])
    amounts = np.abs(transactions["amount"].to_numpy(dtype="float64")[lines.position[at]])
    rule = RULES["USER_AMOUNT_SHIFT"]
    line = rule.fill_phrases(["own"] * len(at), amount=amounts.tolist(), median=lines.median[at].tolist())
    reasons = rule.reasons(len(at), line=line, user=user, what=what, **_period_slots(fact))
    details = [
        {**d, "amount": float(a), "usual_amount": round(float(m), 2)}
        for d, a, m in zip(_details(fact, user, what), amounts, lines.median[at], strict=True)
    ]
    rows = transactions["row_number"].to_numpy()[lines.position[at]]
    return build_flags(rows, "USER_AMOUNT_SHIFT", reasons, details)


def _settlement_flags(
    transactions: pd.DataFrame, lines: _Lines, groups: np.ndarray, fact: pd.DataFrame
) -> pd.DataFrame:
    """Every line of a later document that pays (or repeats) the document of a flagged line."""
    if "vendor" not in transactions.columns:
        return empty_flags()
    docs: VendorDocuments = vendor_documents(transactions)
    source_doc = docs.line_document[lines.position[fact["at"].to_numpy()]]
    known = source_doc >= 0
    by_doc = fact[known].assign(doc=source_doc[known]).drop_duplicates("doc")
    settling = docs.settled_by()[by_doc["doc"].to_numpy()]
    by_doc = by_doc.assign(settling=settling)
    by_doc = by_doc[by_doc["settling"] >= 0]
    flagged_docs = set(source_doc[known].tolist())
    by_doc = by_doc[~by_doc["settling"].isin(flagged_docs)]
    if by_doc.empty:
        return empty_flags()
    line_of = pd.Series(np.arange(len(docs.line_document)))[docs.line_document >= 0]
    doc_lines = pd.DataFrame({"position": line_of.to_numpy(), "doc": docs.line_document[line_of.to_numpy()]})
    hit = doc_lines.merge(by_doc, left_on="doc", right_on="settling", suffixes=("", "_source"))
    if hit.empty:
        return empty_flags()
    at = hit["at"].to_numpy()
    user, what = _group_words(groups, lines.group[at])
    source = hit["doc_source"].to_numpy()
    rule = RULES["USER_AMOUNT_SHIFT"]
    line = rule.fill_phrases(
        ["settles"] * len(hit),
        amount=(docs.cents[source] / 100).tolist(),
        vendor=docs.vendor[source].tolist(),
        source=docs.names[source].tolist(),
        source_date=iso_days(docs.day[source]).tolist(),
    )
    reasons = rule.reasons(len(hit), line=line, user=user, what=what, **_period_slots(hit))
    details = [
        {**d, "settles": str(name), "settled_amount": float(cents) / 100}
        for d, name, cents in zip(_details(hit, user, what), docs.names[source], docs.cents[source], strict=True)
    ]
    rows = transactions["row_number"].to_numpy()[hit["position"].to_numpy()]
    return build_flags(rows, "USER_AMOUNT_SHIFT", reasons, details)

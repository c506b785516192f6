"""Journal entries as the unit of review: one risk score and its reasons per entry, from its lines.

Evidence is measured in decades of rarity, as the line reasons measure it (2: what 1 % of entries
show, 3: what 0.1 % show):

- each rule code counts once per entry, however many of its lines carry it (the lines of one entry
  share a finding), at the strength of its most severe finding there; a rule that fires on more
  than ``common_share`` of the file's entries loses a decade for every tenfold above it, since a
  finding half the file carries tells little about any one entry;
- a duplicate finding counts for every entry of its group: the earlier entry is as much a part of
  the duplicate as the later one that carries the flag;
- the low-severity findings of an entry together count as much as the strongest of them: context
  for a reviewer (a weekend date, a round amount, a Benford digit) never adds up to more;
- the models count through the entry's highest line risk, read as the chance that none of an
  entry's ``n`` lines scores that high (``1 - p**n``), so a long entry is not risky for being long;
- strongest first, each further piece of evidence weighs ``decay`` times the one before it.

An entry's ``risk_score`` is the percentile of that combined evidence among the file's entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values
from fintrace_pipeline.findings import ENTRY_SCORE_COLUMNS, SEVERITIES, details_of
from fintrace_pipeline.ml.detectors import quantile_normalise
from fintrace_pipeline.ml.entry_reasons import EntryEvidence, entry_reasons
from fintrace_pipeline.ml.explain import finding_strength


@dataclass(frozen=True)
class EntryOptions:
    # A rule firing on more of the file's entries than this loses a decade of strength per tenfold:
    # with about 1 % of entries anomalous in all, spread over a score of rules, one rule that fires
    # on far more than a few tenths of a percent of entries fires mostly on ordinary ones.
    common_share: float = 0.003
    # Weight of the models' evidence beside the rules' (the models read the rule findings too).
    model_weight: float = 0.5
    # Each further piece of evidence counts this much of the one before it: findings on one entry
    # mostly describe one event (an outlying amount is also just below a limit), not independent ones.
    decay: float = 0.2
    # Reasons named per entry, strongest first.
    max_reasons: int = 4


def has_entries(transactions: pd.DataFrame) -> bool:
    return "je_number" in transactions.columns and bool(text_values(transactions["je_number"]).notna().any())


def score_entries(
    transactions: pd.DataFrame,
    flags: pd.DataFrame | None,
    line_scores: pd.DataFrame,
    options: EntryOptions | None = None,
) -> pd.DataFrame | None:
    """ENTRY_SCORE_COLUMNS, one row per journal entry, highest risk first; None without ``je_number``.

    ``flags``: the rule findings of every stage (findings.FLAG_COLUMNS); ``line_scores``: the ML
    stage's per-line scores (findings.SCORE_COLUMNS). Lines without an entry number belong to no entry.
    """
    opts = options or EntryOptions()
    if not has_entries(transactions):
        return None
    numbers = text_values(transactions["je_number"])
    # Only the columns an entry's totals read: the file's other columns would be copied twice here.
    lines = transactions.loc[numbers.notna(), ["row_number", "amount", "posting_date"]]
    lines = lines.assign(je_number=numbers[numbers.notna()])
    lines = lines.sort_values("row_number", kind="stable").reset_index(drop=True)
    entry_of_line, entry_numbers = pd.factorize(lines["je_number"], sort=False)
    entry_row = pd.Series(entry_of_line, index=lines["row_number"].to_numpy())
    entries = _entry_totals(lines, entry_of_line, len(entry_numbers))

    risk = line_scores.set_index("row_number")["risk_score"].reindex(lines["row_number"].to_numpy())
    model = _model_evidence(risk.to_numpy(dtype=np.float64), entry_of_line, entries["line_count"].to_numpy())
    flags = flags.reset_index(drop=True) if flags is not None else None
    findings = _entry_findings(flags, entry_row, len(entry_numbers), opts)
    evidence = _components(findings, model, opts)
    entries["risk_score"] = np.round(100.0 * quantile_normalise(_combined(evidence, len(entry_numbers), opts)), 4)

    texts = entry_reasons(
        EntryEvidence(
            entry_numbers=np.asarray(entry_numbers, dtype=object),
            line_count=entries["line_count"].to_numpy(),
            findings=findings,
            strongest_line=lines["row_number"].to_numpy()[model["position"].to_numpy()],
            model_strength=opts.model_weight * model["decades"].to_numpy(),
            line_reasons=line_scores.set_index("row_number")[["reasons", "reason_text"]],
            flags=flags,
        ),
        opts.max_reasons,
    )
    entries = pd.concat([entries, texts], axis=1)
    entries.insert(0, "je_number", pd.array(np.asarray(entry_numbers, dtype=object), dtype="string"))
    order = np.lexsort((entries["first_row_number"].to_numpy(), -entries["risk_score"].to_numpy()))
    return entries.iloc[order].reset_index(drop=True)[list(ENTRY_SCORE_COLUMNS)]


def _entry_totals(lines: pd.DataFrame, entry: np.ndarray, n_entries: int) -> pd.DataFrame:
    amount = lines["amount"].to_numpy(dtype=np.float64)
    grouped = pd.DataFrame(
        {
            "entry": entry,
            "row_number": lines["row_number"].to_numpy(dtype=np.int64),
            "posting_date": pd.to_datetime(lines["posting_date"]).to_numpy(),
            "debit": np.where(amount > 0, amount, 0.0),
            "credit": np.where(amount < 0, -amount, 0.0),
        }
    ).groupby("entry", sort=True)
    totals = grouped.agg(
        line_count=("row_number", "size"),
        first_row_number=("row_number", "min"),
        posting_date=("posting_date", "min"),
        debit_total=("debit", "sum"),
        credit_total=("credit", "sum"),
    )
    totals = totals.reindex(np.arange(n_entries))
    totals["debit_total"] = totals["debit_total"].round(2)
    totals["credit_total"] = totals["credit_total"].round(2)
    return totals.reset_index(drop=True)


def _model_evidence(risk: np.ndarray, entry: np.ndarray, line_count: np.ndarray) -> pd.DataFrame:
    """Per entry: the decades its highest line risk stands for, and that line's position."""
    frame = pd.DataFrame({"entry": entry, "risk": np.nan_to_num(risk, nan=0.0), "position": np.arange(len(entry))})
    top = frame.sort_values(["entry", "risk", "position"], ascending=[True, False, True]).drop_duplicates("entry")
    top = top.set_index("entry").reindex(np.arange(len(line_count)))
    share = np.clip(top["risk"].to_numpy() / 100.0, 0.0, 1.0)
    # The chance that an entry of this many lines has one line at least this high.
    tail = 1.0 - share**line_count
    decades = -np.log10(tail + 1.0 / max(len(line_count), 1))
    return pd.DataFrame({"decades": decades, "position": top["position"].to_numpy(dtype=np.int64)})


def _entry_findings(
    flags: pd.DataFrame | None, entry_row: pd.Series, n_entries: int, options: EntryOptions
) -> pd.DataFrame:
    """One row per (entry, rule code): its strongest severity, its strength, the flag that carries it."""
    columns = ["entry", "rule_code", "severity", "strength", "flag", "group_id", "lines", "texts"]
    if flags is None or len(flags) == 0:
        return pd.DataFrame(columns=columns)
    flags = flags.reset_index(drop=True)
    own = pd.DataFrame(
        {
            "entry": entry_row.reindex(flags["row_number"].to_numpy()).to_numpy(),
            "rule_code": flags["rule_code"].astype(str).to_numpy(),
            "severity": flags["severity"].astype(str).to_numpy(),
            "flag": np.arange(len(flags)),
            "group_id": flags["group_id"].to_numpy(dtype=object) if "group_id" in flags else None,
            "row_number": flags["row_number"].to_numpy(),
            "reason": flags["reason"].to_numpy(dtype=object) if "reason" in flags else None,
        }
    )
    shared = _group_members(own, flags, entry_row)
    found = pd.concat([own, shared], ignore_index=True).dropna(subset=["entry"])
    found["entry"] = found["entry"].astype(np.int64)
    found["level"] = found["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(0).astype(int)
    # The entry's most severe flag of each rule; among equals, the first.
    found = found.sort_values(["entry", "rule_code", "level", "flag"], ascending=[True, True, False, True])
    # How many of the entry's lines carry the rule, and in how many different sentences.
    spread = found.groupby(["entry", "rule_code"]).agg(lines=("row_number", "nunique"), texts=("reason", "nunique"))
    found = found.drop_duplicates(["entry", "rule_code"]).join(spread, on=["entry", "rule_code"]).reset_index(drop=True)
    share = found.groupby("rule_code")["entry"].transform("size") / max(n_entries, 1)
    penalty = np.maximum(0.0, np.log10(share.to_numpy() / options.common_share))
    base = finding_strength(found["severity"]).to_numpy()
    found["strength"] = np.maximum(base - penalty, 0.0)
    return found[columns].reset_index(drop=True)


def _group_members(own: pd.DataFrame, flags: pd.DataFrame, entry_row: pd.Series) -> pd.DataFrame:
    """The findings of grouped lines (duplicates), once more for every entry of the group that did not
    carry them."""
    if "group_id" not in flags.columns or not flags["group_id"].notna().any():
        return own.iloc[0:0]
    grouped = own[own["group_id"].notna()]
    members = grouped
    if "details" in flags.columns:
        # A flagged member names the earlier line it repeats, which carries no flag of its own.
        twin_rows = flags.loc[grouped["flag"], "details"].map(_twin_row).to_numpy(dtype=np.float64)
        twins = grouped.assign(entry=entry_row.reindex(twin_rows).to_numpy())
        members = pd.concat([grouped, twins], ignore_index=True)
    entries = members[["group_id", "entry"]].dropna().drop_duplicates()
    # Every entry of a group takes the group's first flag of each rule.
    first = grouped.sort_values("flag").drop_duplicates(["group_id", "rule_code"])
    spread = entries.merge(first.drop(columns="entry"), on="group_id")
    carried = own[["entry", "rule_code"]].dropna().drop_duplicates()
    spread = spread.merge(carried.assign(carried=True), on=["entry", "rule_code"], how="left")
    return spread[spread["carried"].isna()].drop(columns="carried")[own.columns]


def _twin_row(details) -> float:
    twin = details_of(details).get("twin_row_number")
    if isinstance(twin, (int, float)) and not isinstance(twin, bool):
        return float(twin)
    return np.nan


def _components(findings: pd.DataFrame, model: pd.DataFrame, options: EntryOptions) -> pd.DataFrame:
    """The pieces of evidence each entry is scored on, as (entry, strength): one per rule code of
    medium or high severity, one for all its low ones together, and the models'."""
    low = ~findings["severity"].isin(("medium", "high"))
    rules = findings.loc[~low, ["entry", "strength"]]
    lows = findings.loc[low].groupby("entry")["strength"].max()
    low_part = pd.DataFrame({"entry": lows.index.to_numpy(), "strength": lows.to_numpy()})
    models = pd.DataFrame(
        {"entry": np.arange(len(model)), "strength": options.model_weight * model["decades"].to_numpy()}
    )
    return pd.concat([rules, low_part, models], ignore_index=True).astype({"entry": np.int64, "strength": np.float64})


def _decayed(parts: pd.DataFrame, decay: float) -> pd.Series:
    """Per entry: the sum of its parts' strengths, strongest first, the i-th weighed ``decay**i``."""
    if parts.empty:
        return pd.Series(dtype=np.float64)
    ordered = parts.sort_values(["entry", "strength"], ascending=[True, False])
    rank = ordered.groupby("entry").cumcount().to_numpy()
    weighted = ordered["strength"].to_numpy() * decay**rank
    return pd.Series(weighted, index=ordered["entry"].to_numpy()).groupby(level=0).sum()


def _combined(components: pd.DataFrame, n_entries: int, options: EntryOptions) -> np.ndarray:
    total = _decayed(components, options.decay)
    return total.reindex(np.arange(n_entries)).fillna(0.0).to_numpy()

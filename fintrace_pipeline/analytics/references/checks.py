"""The three reference checks, each raising its catalogue rule on the lines of the vendors it finds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import iso_days, text_values
from fintrace_pipeline.analytics.flags import build_flags, graded_severity
from fintrace_pipeline.analytics.references.lists import NORMALIZED, ReferenceList
from fintrace_pipeline.analytics.references.matching import NONE
from fintrace_pipeline.analytics.references.options import ReferenceCheckOptions
from fintrace_pipeline.rules import RULES, plural_s

# The fields a vendor and an employee may share, in the words of a reason.
SHARED_FIELDS = {"bank_account": "bank account", "tax_id": "tax id", "address": "address"}


def vendor_lines(transactions: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """Each line with a vendor, beside its vendor's match: row_number, amount, posting_date, vendor,
    entry (-1 for none), match, score, how."""
    vendor = text_values(transactions["vendor"])
    lines = pd.DataFrame(
        {
            "row_number": transactions["row_number"].to_numpy(),
            "amount": transactions["amount"].to_numpy(dtype="float64"),
            "posting_date": transactions["posting_date"].to_numpy(),
            "vendor": vendor.to_numpy(dtype=object),
        }
    )[vendor.notna().to_numpy()]
    return lines.merge(matches.astype({"vendor": object}), on="vendor", how="inner")


def not_in_master(
    lines: pd.DataFrame, master: ReferenceList, options: ReferenceCheckOptions
) -> tuple[pd.DataFrame, dict]:
    """Lines paid to vendors the master does not hold; a large payment's finding is one level higher."""
    rule = RULES["VENDOR_NOT_IN_MASTER"]
    missing = lines[lines["how"] == NONE]
    close = (missing["score"] > 0).to_numpy()
    closest = rule.fill_phrases(
        np.where(close, "closest", "none").tolist(),
        match=missing["match"].tolist(),
        score=missing["score"].tolist(),
        needed=options.vendor_match_score,
    )
    reasons = rule.reasons(
        len(missing),
        vendor=missing["vendor"].tolist(),
        version=master.version,
        entries=len(master.entries),
        closest=closest,
    )
    details = [
        {"vendor": v, "closest_entry": m if c else None, "score": float(s) if c else None, "version": master.version}
        for v, m, s, c in zip(missing["vendor"], missing["match"], missing["score"], close, strict=True)
    ]
    large = np.abs(missing["amount"].to_numpy()) >= options.large_payment_amount
    flags = build_flags(missing["row_number"], rule.code, reasons, details, graded_severity(rule.code, large))
    per_vendor = (
        missing.groupby("vendor", sort=False)
        .agg(
            lines=("row_number", "size"),
            amount=("amount", lambda a: float(np.abs(a).sum())),
            closest=("match", "first"),
            score=("score", "first"),
        )
        .sort_values("amount", ascending=False)
        .head(options.top_n)
        .reset_index()
    )
    per_vendor["closest"] = per_vendor["closest"].where(per_vendor["score"] > 0, None)
    return flags, {
        "vendors": int(missing["vendor"].nunique()),
        "lines": int(len(missing)),
        "top": per_vendor.to_dict("records"),
    }


def shares_employee_details(
    lines: pd.DataFrame, master: ReferenceList, employees: ReferenceList, options: ReferenceCheckOptions
) -> tuple[pd.DataFrame, dict]:
    """Lines paid to master vendors whose bank account, tax id or address is also an employee's."""
    rule = RULES["VENDOR_SHARES_EMPLOYEE_DETAILS"]
    vendors = master.entries.reset_index(drop=True).assign(entry=lambda f: np.arange(len(f)))
    staff = employees.entries.reset_index(drop=True)
    found: list[pd.DataFrame] = []
    for field in SHARED_FIELDS:
        column = NORMALIZED[field]
        left = vendors[vendors[column].notna() & (vendors[column] != "")][["entry", field, column]]
        right = staff[staff[column].notna() & (staff[column] != "")][["name", "id", column]]
        pairs = left.merge(right, on=column).rename(columns={field: "value", "name": "employee", "id": "employee_id"})
        found.append(pairs.assign(field=field)[["entry", "employee", "employee_id", "field", "value"]])
    pairs = pd.concat(found, ignore_index=True)
    if pairs.empty:
        return build_flags([], rule.code, [], []), {"vendors": 0, "pairs": []}
    # One finding per vendor: its first employee (by list order of the fields), with every field they share.
    first = pairs.groupby("entry", sort=False)[["employee", "employee_id"]].first().reset_index()
    shared = pairs.merge(first, on=["entry", "employee", "employee_id"])
    summary = shared.groupby("entry", sort=False).agg(
        fields=("field", list),
        values=("value", list),
        employee=("employee", "first"),
        employee_id=("employee_id", "first"),
    )
    hit = lines[lines["entry"].isin(summary.index)].join(summary, on="entry")
    words = [" and ".join(SHARED_FIELDS[f] for f in fields) for fields in hit["fields"]]
    has_id = hit["employee_id"].notna().to_numpy()
    employee_ids = rule.fill_phrases(
        np.where(has_id, "employee_id", "no_id").tolist(),
        id=hit["employee_id"].astype(object).where(has_id, "").tolist(),
    )
    matched = [
        f"vendor master entry {m!r}" + ("" if h == "exact" else f", name match {s:.0f} of 100")
        for m, h, s in zip(hit["match"], hit["how"], hit["score"], strict=True)
    ]
    reasons = rule.reasons(
        len(hit),
        vendor=hit["vendor"].tolist(),
        matched=matched,
        shared=words,
        employee=hit["employee"].astype(object).where(hit["employee"].notna(), "(no name)").tolist(),
        employee_id=employee_ids,
        value=["; ".join(str(v) for v in vals) for vals in hit["values"]],
    )
    details = [
        {"vendor": v, "master_entry": m, "employee": e if isinstance(e, str) else None, "shared": list(f)}
        for v, m, e, f in zip(hit["vendor"], hit["match"], hit["employee"], hit["fields"], strict=True)
    ]
    flags = build_flags(hit["row_number"], rule.code, reasons, details)
    listed = (
        hit.drop_duplicates("vendor")[["vendor", "match", "employee", "employee_id", "fields"]]
        .head(options.top_n)
        .astype(object)
        .where(lambda f: f.notna(), None)
    )
    return flags, {"vendors": int(hit["vendor"].nunique()), "pairs": listed.to_dict("records")}


def added_before_large_payment(
    lines: pd.DataFrame, master: ReferenceList, options: ReferenceCheckOptions
) -> tuple[pd.DataFrame, dict]:
    """The first large payment to each master vendor, where the vendor was added to the master at most
    ``new_vendor_days`` days before it."""
    rule = RULES["VENDOR_ADDED_BEFORE_LARGE_PAYMENT"]
    added = pd.to_datetime(master.entries["added_date"]).to_numpy(dtype="datetime64[ns]")
    large = lines[(lines["entry"] >= 0) & (np.abs(lines["amount"]) >= options.large_payment_amount)]
    first = large.sort_values(["posting_date", "row_number"]).drop_duplicates("vendor")
    when = added[first["entry"].to_numpy()]
    days = (first["posting_date"].to_numpy(dtype="datetime64[ns]") - when).astype("timedelta64[D]").astype("float64")
    days[np.isnat(when)] = np.nan
    soon = (days >= 0) & (days <= options.new_vendor_days)
    hit = first[soon]
    gap = days[soon].astype(np.int64)
    posted = iso_days(hit["posting_date"].to_numpy())
    added_on = iso_days(when[soon])
    reasons = rule.reasons(
        len(hit),
        threshold=options.large_payment_amount,
        vendor=hit["vendor"].tolist(),
        amount=hit["amount"].abs().tolist(),
        posting_date=posted.tolist(),
        days=gap.tolist(),
        s=plural_s(gap.tolist()),
        added_date=added_on.tolist(),
        limit=options.new_vendor_days,
    )
    details = [
        {"vendor": v, "added_date": a, "days_after_added": int(d), "master_entry": m}
        for v, a, d, m in zip(hit["vendor"], added_on, gap, hit["match"], strict=True)
    ]
    flags = build_flags(hit["row_number"], rule.code, reasons, details)
    listed = [
        {"vendor": d["vendor"], "added_date": d["added_date"], "days": d["days_after_added"], "amount": float(a)}
        for d, a in zip(details, hit["amount"].abs(), strict=True)
    ][: options.top_n]
    return flags, {"vendors_with_large_payments": int(len(first)), "found": listed}

"""The catalogue of per-transaction findings: every rule code, the stage that raises it, its default
severity and a title a person reads. Reasons stored with each finding say the specifics."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str
    severity: str
    title: str


_RULES = (
    # duplicate_analysis
    Rule("DUP_EXACT", "duplicate_analysis", "high", "Same vendor, invoice number and amount"),
    Rule("DUP_INVOICE_AMOUNT_DIFF", "duplicate_analysis", "medium", "Same invoice number, different amount"),
    Rule(
        "DUP_VENDOR_AMOUNT_NEAR_DATE",
        "duplicate_analysis",
        "medium",
        "Same vendor and amount within a few days under different invoice numbers",
    ),
    Rule(
        "DUP_INVOICE_NORMALIZED",
        "duplicate_analysis",
        "high",
        "Invoice numbers equal once case, spaces, punctuation and leading zeros are ignored",
    ),
    Rule(
        "DUP_VENDOR_NAME_VARIANT",
        "duplicate_analysis",
        "medium",
        "Same invoice and amount under vendor names that are variants of each other",
    ),
    Rule(
        "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR",
        "duplicate_analysis",
        "low",
        "Same amount on the same date to different vendors",
    ),
    # anomaly_detection
    Rule("WEEKEND_POSTING", "anomaly_detection", "low", "Posted on a weekend"),
    Rule("HOLIDAY_POSTING", "anomaly_detection", "low", "Posted on a public holiday"),
    Rule("AFTER_HOURS", "anomaly_detection", "low", "Keyed in outside business hours"),
    Rule("ROUND_AMOUNT", "anomaly_detection", "low", "Suspiciously round amount"),
    Rule("JUST_BELOW_LIMIT", "anomaly_detection", "medium", "Amount just below an approval limit"),
    Rule("USER_AMOUNT_OUTLIER", "anomaly_detection", "medium", "Amount far outside the user's usual range"),
    Rule("ACCOUNT_AMOUNT_OUTLIER", "anomaly_detection", "medium", "Amount far outside the account's usual range"),
    Rule("SELDOM_USED_ACCOUNT", "anomaly_detection", "low", "Posting to a seldom-used account"),
    Rule("UNUSUAL_USER_ACCOUNT", "anomaly_detection", "medium", "User posting to an account they rarely use"),
    Rule("MISSING_DESCRIPTION", "anomaly_detection", "low", "No description"),
    Rule("BACKDATED_ENTRY", "anomaly_detection", "medium", "Entered well after its posting date"),
    Rule("UNBALANCED_ENTRY", "anomaly_detection", "high", "Journal entry whose lines do not balance"),
    Rule("JE_NUMBER_DUPLICATE", "anomaly_detection", "medium", "Journal entry number reused on another date"),
    Rule("JE_NUMBER_GAP", "anomaly_detection", "low", "Journal entry next to a gap in the numbering"),
    Rule("SELF_APPROVED", "anomaly_detection", "high", "Posted and approved by the same person"),
    Rule(
        "BENFORD_DIGIT",
        "anomaly_detection",
        "low",
        "First digits over-represented in a group that does not conform to Benford's law",
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in _RULES}


def rules_for(stage: str) -> list[Rule]:
    return [r for r in _RULES if r.stage == stage]

"""The catalogue of per-transaction findings: every rule code with the stage that raises it, its family,
its default severity, a title a person reads, the canonical columns it reads and the sentence its
findings give as their reason. Each finding fills the sentence in with its own specifics. A duplicate
test has a second sentence for files with journal entries, where it compares documents, not lines.

Reasons are ``str.format`` patterns; a slot whose wording depends on the case (one day or several,
an invoice number or none) is filled from one of the rule's ``phrases``.
"""

from __future__ import annotations

import numbers
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import starmap
from typing import Any

from fintrace_pipeline.findings import SEVERITIES

DUPLICATE_ANALYSIS = "duplicate_analysis"
ANOMALY_DETECTION = "anomaly_detection"
PERIOD_COMPARISON = "period_comparison"
REFERENCE_CHECKS = "reference_checks"

FAMILIES = ("duplicates", "time", "amount", "entity", "journal", "history", "benford", "reference")


@dataclass(frozen=True)
class Rule:
    code: str
    stage: str
    family: str
    severity: str  # the default; a rule may grade a case one level up or down (see ``severity_step``)
    title: str
    columns: tuple[str, ...]  # canonical columns the rule reads; without one of them it is skipped
    reason: str
    phrases: Mapping[str, str] = field(default_factory=dict, hash=False)
    entry_reason: str = ""  # the sentence where documents of journal entries are compared; "" = ``reason``
    # The finding describes a group of lines (a vendor's week, an entity's month, a digit habit, a period
    # end) and marks every line of it alike: it says nothing about which line is wrong, so it is context
    # for a line's risk, not evidence like a finding about the line itself (see ml/features.py).
    describes_group: bool = False

    def reason_for(self, entries: bool) -> str:
        return self.entry_reason if entries and self.entry_reason else self.reason

    def reasons(self, count: int, **values: Any) -> list[str]:
        """``count`` reasons; each value is a sequence of ``count`` items or one item for every reason."""
        return fill(self.reason, count, values)

    def entry_reasons(self, count: int, **values: Any) -> list[str]:
        """As ``reasons``, for findings about documents of journal entries."""
        return fill(self.reason_for(True), count, values)

    def fill_phrases(self, choice: Sequence[str], **values: Any) -> list[str]:
        """One phrase per case: ``choice[i]`` names the phrase of case i, which takes from ``values``
        (sequences over all cases, or one item for every case) the slots it has."""
        filled = [""] * len(choice)
        cases: dict[str, list[int]] = {}
        for i, name in enumerate(choice):
            cases.setdefault(name, []).append(i)
        for name, index in cases.items():
            pattern = self.phrases[name]
            picked = {
                slot: values[slot] if _is_single(values[slot]) else [values[slot][i] for i in index]
                for slot in _positional(pattern)[1]
            }
            for i, text in zip(index, fill(pattern, len(index), picked), strict=True):
                filled[i] = text
        return filled

    def severity_step(self, steps: int) -> str:
        """The severity ``steps`` levels above (below, when negative) the default, within low..high."""
        level = min(max(SEVERITIES.index(self.severity) + steps, 0), len(SEVERITIES) - 1)
        return SEVERITIES[level]

    def slots(self, entries: bool = False) -> set[str]:
        return set(_positional(self.reason_for(entries))[1])


def _is_single(value: Any) -> bool:
    return value is None or isinstance(value, (str, numbers.Number))


@cache
def _positional(pattern: str) -> tuple[str, tuple[str, ...]]:
    """``pattern`` with its named slots numbered ("{amount:,.2f}" -> "{0:,.2f}") and the slot names."""
    parts: list[str] = []
    names: list[str] = []
    for literal, name, spec, conversion in string.Formatter().parse(pattern):
        parts.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is None:
            continue
        if name not in names:
            names.append(name)
        slot = str(names.index(name)) + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
        parts.append("{" + slot + "}")
    return "".join(parts), tuple(names)


def fill(pattern: str, count: int, values: Mapping[str, Any]) -> list[str]:
    """``count`` sentences from ``pattern``, slot by slot from ``values`` (see ``Rule.reasons``)."""
    numbered, names = _positional(pattern)
    if set(values) != set(names):
        raise KeyError(f"pattern {pattern!r} fills {sorted(names)}, got {sorted(values)}")
    if not names:
        return [numbered.format()] * count
    columns: list[Sequence[Any]] = []
    for name in names:
        value = values[name]
        if _is_single(value):
            columns.append([value] * count)
        elif len(value) != count:
            raise ValueError(f"slot {name!r} has {len(value)} values for {count} reasons")
        else:
            columns.append(value)
    return list(starmap(numbered.format, zip(*columns, strict=True)))


def plural_s(counts: Sequence[int]) -> list[str]:
    """The "s" that follows a count in a reason ("1 line", "2 lines")."""
    return ["" if n == 1 else "s" for n in counts]


# Weekend, holiday and after-hours findings say how often their poster posts at such a time.
_HABIT = {"habit": "; user {user} has {lines} of {user_lines} lines {bucket}", "none": ""}

_RULES = (
    # duplicate_analysis
    Rule(
        "DUP_EXACT",
        DUPLICATE_ANALYSIS,
        "duplicates",
        "high",
        "Same vendor, invoice number and amount",
        ("posting_date", "amount", "vendor", "invoice_number"),
        "Same vendor {vendor}, invoice {invoice_number} and amount {amount:,.2f} as row {twin_row_number} "
        "(posted {twin_posting_date})",
        {"twice": "twice", "times": "{count} times"},
        entry_reason="Invoice {invoice_number} from {vendor} was entered {times}: {entries}, {amount:,.2f} each",
    ),
    Rule(
        "DUP_INVOICE_AMOUNT_DIFF",
        DUPLICATE_ANALYSIS,
        "duplicates",
        "medium",
        "Same invoice number, different amount",
        ("posting_date", "amount", "vendor", "invoice_number"),
        "Same vendor {vendor} and invoice {invoice_number} as row {twin_row_number} (posted {twin_posting_date}) "
        "but amount {amount:,.2f} instead of {twin_amount:,.2f}",
        entry_reason="Invoice {invoice_number} from {vendor} was entered in {twin_je_number} (posted "
        "{twin_posting_date}) for {twin_amount:,.2f} and again in {je_number} (posted {posting_date}) for "
        "{amount:,.2f}",
    ),
    Rule(
        "DUP_VENDOR_AMOUNT_NEAR_DATE",
        DUPLICATE_ANALYSIS,
        "duplicates",
        "medium",
        "Same vendor and amount within a few days under different invoice numbers",
        ("posting_date", "amount", "vendor"),
        "Same vendor {vendor} and amount {amount:,.2f} as row {twin_row_number} posted {when} ({twin_posting_date})"
        "{invoices}{chance}",
        {
            "same_day": "on the same day",
            "days_earlier": "{days} day{s} earlier",
            # A file without an invoice column says nothing about invoice numbers.
            "no_column": "",
            "no_invoices": ", neither with an invoice number",
            "one_invoice": ", only one of the two with an invoice number ({invoice})",
            "other_invoice": ", under a different invoice number ({invoice} vs {twin_invoice})",
            "chance_note": "; the file has about as many such pairs as chance predicts ({observed} found, "
            "{expected:g} expected), so this may be a coincidence",
        },
        entry_reason="Same vendor {vendor} and amount {amount:,.2f} in {je_number} as in {twin_je_number}, "
        "posted {when} ({twin_posting_date}){invoices}{chance}",
    ),
    Rule(
        "DUP_INVOICE_NORMALIZED",
        DUPLICATE_ANALYSIS,
        "duplicates",
        "high",
        "Invoice numbers equal once case, spaces, punctuation and leading zeros are ignored",
        ("posting_date", "amount", "vendor", "invoice_number"),
        "Invoice {invoice_number} equals invoice {twin_invoice_number} of row {twin_row_number} "
        "(posted {twin_posting_date}) once case, spacing, punctuation and leading zeros are ignored; "
        "same vendor {vendor} and amount {amount:,.2f}",
        entry_reason="Invoice {invoice_number} from {vendor} in {je_number} equals invoice {twin_invoice_number} "
        "in {twin_je_number} (posted {twin_posting_date}) once case, spacing, punctuation and leading zeros are "
        "ignored; {amount:,.2f} each",
    ),
    Rule(
        "DUP_VENDOR_NAME_VARIANT",
        DUPLICATE_ANALYSIS,
        "duplicates",
        "medium",
        "Same invoice and amount under vendor names that are variants of each other",
        ("posting_date", "amount", "vendor", "invoice_number"),
        "Vendor {vendor} is a variant of {twin_vendor} (row {twin_row_number}, posted {twin_posting_date}; {how}) "
        "with the same invoice {invoice_number} and amount {amount:,.2f}",
        {
            "equal": "names equal once case, punctuation and legal forms are ignored",
            "linked": "names linked through other spellings of the same name",
            "edits": "names {distance} edit{s} apart",
        },
        entry_reason="Invoice {invoice_number} for {amount:,.2f} was entered under vendor {vendor} in {je_number} "
        "and under {twin_vendor} in {twin_je_number} (posted {twin_posting_date}; {how})",
    ),
    Rule(
        "DUP_SAME_AMOUNT_DATE_DIFF_VENDOR",
        DUPLICATE_ANALYSIS,
        "duplicates",
        "low",
        "Same amount on the same date to different vendors",
        ("posting_date", "amount"),
        "Same amount {amount:,.2f} on {date} as row {twin_row_number}{distinction}",
        {
            "vendor": ", paid to a different vendor ({vendor} vs {twin_vendor})",
            "none": "; the file names no vendors",
            "entry_vendor": ", under a different vendor ({vendor} vs {twin_vendor})",
        },
        entry_reason="Same amount {amount:,.2f} on {date} in {je_number} as in {twin_je_number}{distinction}",
    ),
    # anomaly_detection
    Rule(
        "WEEKEND_POSTING",
        ANOMALY_DETECTION,
        "time",
        "low",
        "Posted on a weekend",
        ("posting_date",),
        "Posted on a {weekday} ({date}){habit}",
        _HABIT,
    ),
    Rule(
        "HOLIDAY_POSTING",
        ANOMALY_DETECTION,
        "time",
        "low",
        "Posted on a public holiday",
        ("posting_date",),
        "Posted on {calendar}: {holiday} ({date}){habit}",
        {"country": "a public holiday in {calendar}", "configured": "a holiday of the configured calendar", **_HABIT},
    ),
    # The time of day comes from entry_date where that column carries one, else from posting_date.
    Rule(
        "AFTER_HOURS",
        ANOMALY_DETECTION,
        "time",
        "low",
        "Keyed in outside business hours",
        ("posting_date",),
        "Keyed in at {clock} on {date}, outside business hours {business_hours}{habit}",
        _HABIT,
    ),
    Rule(
        "ROUND_AMOUNT",
        ANOMALY_DETECTION,
        "amount",
        "low",
        "Suspiciously round amount",
        ("amount",),
        "Amount {amount:,.2f} is an exact multiple of {multiple:,.0f}",
    ),
    Rule(
        "JUST_BELOW_LIMIT",
        ANOMALY_DETECTION,
        "amount",
        "medium",
        "Amount just below an approval limit",
        ("amount",),
        "Amount {amount:,.2f} is {below_pct:.1f} % below {which}{chance}",
        {
            "common": "a common approval limit of {limit:,.0f}",
            "configured": "the approval limit of {limit:,.0f} set for {set_for}",
            "at_chance": "; no more of the file's amounts fall just below it than chance predicts ({below:,} found, "
            "{expected:,.0f} expected)",
            "none": "",
        },
    ),
    # Compared with the user's own lines on the same account where there are enough of them.
    Rule(
        "USER_AMOUNT_OUTLIER",
        ANOMALY_DETECTION,
        "amount",
        "medium",
        "Amount far outside the user's usual range",
        ("amount", "user"),
        "Amount {amount:,.2f} is {relation} user {group}'s median of {median:,.2f} (robust z {z:.1f}, "
        "{peers:,} of the other {others:,} lines within a factor of {factor:g} more than {days} days apart)",
        {"times": "{ratio:,.1f}×", "fraction": "1/{inverse:,.1f} of"},
    ),
    Rule(
        "ACCOUNT_AMOUNT_OUTLIER",
        ANOMALY_DETECTION,
        "amount",
        "medium",
        "Amount far outside the account's usual range",
        ("amount", "account"),
        "Amount {amount:,.2f} is {relation} account {group}'s median of {median:,.2f} (robust z {z:.1f}, "
        "{peers:,} of the other {others:,} lines within a factor of {factor:g} more than {days} days apart)",
        {"times": "{ratio:,.1f}×", "fraction": "1/{inverse:,.1f} of"},
    ),
    Rule(
        "SELDOM_USED_ACCOUNT",
        ANOMALY_DETECTION,
        "entity",
        "low",
        "Posting to a seldom-used account",
        ("account",),
        "Account {account} has only {lines} line{s} in this file (accounts typically have {typical:g})",
    ),
    Rule(
        "UNUSUAL_USER_ACCOUNT",
        ANOMALY_DETECTION,
        "entity",
        "medium",
        "User posting to an account they rarely use",
        ("user", "account"),
        "User {user} posted {lines} of {user_lines} lines ({share_pct:.2f} %) to account {account}",
    ),
    Rule(
        "MISSING_DESCRIPTION",
        ANOMALY_DETECTION,
        "entity",
        "low",
        "No description",
        ("description",),
        "Description is empty",
    ),
    Rule(
        "BACKDATED_ENTRY",
        ANOMALY_DETECTION,
        "time",
        "medium",
        "Entered well after its posting date",
        ("posting_date", "entry_date"),
        "Entered {entry_date}, {lag} days after its posting date {posting_date} (limit {limit})",
    ),
    Rule(
        "UNBALANCED_ENTRY",
        ANOMALY_DETECTION,
        "journal",
        "high",
        "Journal entry whose lines do not balance",
        ("je_number", "amount"),
        "Journal entry {je_number} ({lines} lines) has debits {debits:,.2f} and credits {credits:,.2f}: "
        "off by {off:,.2f}",
    ),
    Rule(
        "JE_NUMBER_DUPLICATE",
        ANOMALY_DETECTION,
        "journal",
        "medium",
        "Journal entry number reused on another date",
        ("je_number", "posting_date"),
        "Journal entry number {je_number} is used on {dates} different posting dates ({first} to {last})",
    ),
    Rule(
        "JE_NUMBER_GAP",
        ANOMALY_DETECTION,
        "journal",
        "low",
        "Journal entry next to a gap in the numbering",
        ("je_number",),
        "Journal entry {je_number} follows {previous}: {missing} number{s} missing ({span})",
        {"one": "{first}", "range": "{first}–{last}"},
    ),
    Rule(
        "SELF_APPROVED",
        ANOMALY_DETECTION,
        "entity",
        "high",
        "Posted and approved by the same person",
        ("user", "approver"),
        "Posted by {user} and approved by {approver}: the same person",
    ),
    # Documents: the file's journal entries (its lines without entry numbers); a new one is not the
    # settlement of an earlier one (see analytics/rules/vendor_documents.py).
    Rule(
        "VENDOR_VOLUME_SPIKE",
        ANOMALY_DETECTION,
        "history",
        "medium",
        "Vendor with far more documents in one week than usual",
        ("posting_date", "vendor"),
        "Vendor {vendor} has {documents} new {units} in the week of {week}, where its share of the other weeks "
        "predicts {expected:.1f} (Poisson p {p:.1e} across {tests:,} vendor-weeks)",
        describes_group=True,
    ),
    # Each line against the user's own lines on that account and side; the period is the one of 7 to 28
    # days in which the user's lines stand highest. A document paying one of its lines' documents later
    # says which.
    Rule(
        "USER_AMOUNT_SHIFT",
        ANOMALY_DETECTION,
        "history",
        "medium",
        "User's amounts risen well above their own history for a period",
        ("posting_date", "amount", "user"),
        "{line}; user {user}'s {lines} {what} from {first} to {last} average {ratio:,.1f}× their usual size "
        "(z {z:.1f}; all the user's lines then {period_ratio:,.1f}×)",
        {
            "own": "Amount {amount:,.2f} against a usual {median:,.2f}",
            "settles": "Pays {amount:,.2f} to {vendor} for {source} (posted {source_date})",
        },
    ),
    # Journal-entry tests: where the file numbers its entries, a hit on one line flags its whole entry.
    Rule(
        "PERIOD_END_ENTRY",
        ANOMALY_DETECTION,
        "journal",
        "low",
        "Posted in the last days of a period",
        ("posting_date",),
        "Posted {date}, {when} the period end {period_end}{entry}",
        {
            "last": "on",
            "before": "{days} day{s} before",
            "entry": "; journal entry {je_number} ({lines} line{s})",
            "line": "",
        },
        describes_group=True,
    ),
    Rule(
        "POST_CLOSE_ENTRY",
        ANOMALY_DETECTION,
        "journal",
        "high",
        "Keyed in after its period was closed",
        ("posting_date", "entry_date"),
        "Entered {entry_date}, after the period ending {period_end} was closed on {close_date}, yet posted "
        "into it ({posting_date}){entry}",
        {"entry": "; journal entry {je_number} ({lines} line{s})", "line": ""},
    ),
    Rule(
        "MANUAL_ENTRY",
        ANOMALY_DETECTION,
        "journal",
        "low",
        "Entered through a manual source",
        ("source",),
        "Source {source} is a manual source (“{term}”){entry}",
        {"entry": "; journal entry {je_number} ({lines} line{s})", "line": ""},
    ),
    Rule(
        "SUSPICIOUS_KEYWORD",
        ANOMALY_DETECTION,
        "journal",
        "low",
        "Description with a suspicious keyword",
        ("description",),
        "Description “{description}” holds the keyword “{keyword}”{entry}",
        {"entry": "; journal entry {je_number} ({lines} line{s})", "line": ""},
    ),
    # Tested per vendor and per user, for whichever of the two columns the file has.
    Rule(
        "ENDING_DIGITS_HABIT",
        ANOMALY_DETECTION,
        "amount",
        "medium",
        "Amounts of one vendor or user ending in the same two digits far above chance",
        ("amount",),
        "Amount {amount:,.2f} {ending}, as do {lines} of {label} {group}'s {n} amounts ({share_pct:.0f} % vs "
        "{expected_pct:.1f} % of the other amounts; binomial p {p:.1e})",
        {"cents": "has cents .{ending}", "units": "ends in {ending} before the decimal point"},
        describes_group=True,
    ),
    # Tested per vendor and per user, for whichever of the two columns the file has.
    Rule(
        "BENFORD_DIGIT",
        ANOMALY_DETECTION,
        "benford",
        "low",
        "First digits over-represented in a group that does not conform to Benford's law",
        ("amount",),
        "Amount starts with {digit}, which makes up {observed_pct:.1f} % of {label} {group}'s {n} amounts "
        "vs {expected_pct:.1f} % expected by Benford's law (z {z:.1f}; first-digit MAD {mad:.4f}, nonconformity)",
        describes_group=True,
    ),
)

# period_comparison: each file against the earlier files of its source (analytics/history). The
# within-file history rules above compare a file's weeks and periods with its own other weeks.
_RULES += (
    Rule(
        "HIST_NEW_VENDOR",
        PERIOD_COMPARISON,
        "history",
        "low",
        "Vendor never seen in the source's earlier files",
        ("vendor",),
        "Vendor {vendor} appears for the first time: none of the {files} earlier file{s} of the source "
        "(from {since}) has it; here {lines:,} line{ls} for {total:,.2f}",
    ),
    Rule(
        "HIST_VENDOR_REACTIVATED",
        PERIOD_COMPARISON,
        "history",
        "medium",
        "Dormant vendor active again",
        ("posting_date", "vendor"),
        "Vendor {vendor} was silent for {months} month{s} (last seen {last_seen}) and is paid again from "
        "{first}: {lines:,} line{ls} for {total:,.2f}",
    ),
    Rule(
        "HIST_NEW_USER",
        PERIOD_COMPARISON,
        "history",
        "low",
        "First postings by a user",
        ("user",),
        "User {user} posts for the first time: none of the {files} earlier file{s} of the source has a line of "
        "theirs; here {lines:,} line{ls}",
    ),
    Rule(
        "HIST_NEW_USER_ACCOUNT",
        PERIOD_COMPARISON,
        "history",
        "low",
        "User posting to an account they never posted to before",
        ("user", "account"),
        "User {user}, known since {since}, posts to account {account} for the first time",
    ),
    Rule(
        "HIST_NEW_VENDOR_ACCOUNT",
        PERIOD_COMPARISON,
        "history",
        "low",
        "Vendor booked to an account it was never booked to before",
        ("vendor", "account"),
        "Vendor {vendor}, known since {since}, is booked to account {account} for the first time",
    ),
    Rule(
        "HIST_SPEND_SHIFT",
        PERIOD_COMPARISON,
        "history",
        "medium",
        "Month's spend far above the entity's own history",
        ("posting_date", "amount"),
        "Line of {amount:,.2f} in {label} {name}'s {month}, which totals {total:,.2f}: {ratio:,.1f}× its usual "
        "month of {median:,.2f} over {months} earlier months (robust z {z:.1f}, median and MAD)",
        describes_group=True,
    ),
    Rule(
        "HIST_DUP_INVOICE",
        PERIOD_COMPARISON,
        "history",
        "high",
        "Invoice already booked in an earlier file",
        ("vendor", "invoice_number"),
        "Vendor {vendor}'s invoice {invoice} ({amount:,.2f}) was already booked in {earlier_file}, row "
        "{earlier_row} on {earlier_date} ({earlier_amount:,.2f})",
    ),
    Rule(
        "HIST_DUP_VENDOR_AMOUNT",
        PERIOD_COMPARISON,
        "history",
        "medium",
        "Same vendor and amount within days in an earlier file",
        ("posting_date", "amount", "vendor"),
        "Vendor {vendor}, amount {amount:,.2f} on {date}: the same as row {earlier_row} of {earlier_file} on "
        "{earlier_date}, {days} day{s} apart",
    ),
)

# reference_checks: the file's vendors against the source's vendor master and employee list.
_REFERENCE_RULES = (
    Rule(
        "VENDOR_NOT_IN_MASTER",
        REFERENCE_CHECKS,
        "reference",
        "medium",
        "Paid to a vendor that is not in the vendor master",
        ("vendor",),
        "Vendor {vendor} is not in the vendor master (version {version}, {entries:,} entries): {closest}",
        {
            "closest": "the closest entry, {match}, scores {score:.0f} of 100, below the {needed:.0f} a match needs",
            "none": "no entry comes close",
        },
    ),
    Rule(
        "VENDOR_SHARES_EMPLOYEE_DETAILS",
        REFERENCE_CHECKS,
        "reference",
        "high",
        "Vendor sharing a bank account, address or tax id with an employee",
        ("vendor",),
        "Vendor {vendor} ({matched}) has the same {shared} as employee {employee}{employee_id}: {value}",
        {"employee_id": " ({id})", "no_id": ""},
    ),
    Rule(
        "VENDOR_ADDED_BEFORE_LARGE_PAYMENT",
        REFERENCE_CHECKS,
        "reference",
        "medium",
        "Vendor added to the master shortly before its first large payment",
        ("posting_date", "amount", "vendor"),
        "First payment of {threshold:,.0f} or more to {vendor} in this file, {amount:,.2f} on {posting_date}, "
        "{days} day{s} after it was added to the vendor master ({added_date}; limit {limit} days)",
    ),
)

RULES: dict[str, Rule] = {r.code: r for r in (*_RULES, *_REFERENCE_RULES)}


def rules_for(stage: str, family: str | None = None) -> list[Rule]:
    return [r for r in RULES.values() if r.stage == stage and (family is None or r.family == family)]

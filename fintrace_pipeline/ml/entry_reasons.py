"""An entry's reasons in words: what its findings and its riskiest line say about the entry as a whole.

A finding shared by the lines of an entry is said once; a duplicate names every entry of its group
("invoice 4471 from Acme Ltd for 1,360.80 entered twice (JE-000120, JE-000388)"); the models' reason
names the line it is about. Reasons come strongest first, none repeated, after the entry's size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import LIST_SEPARATOR as SEPARATOR
from fintrace_pipeline.findings import details_of
from fintrace_pipeline.rules import RULES

Phrase = Callable[[dict[str, Any], Sequence[str]], str | None]
Reason = tuple[float, list[str], str]  # strength, the codes it stands for, the words


@dataclass
class EntryEvidence:
    """What the scoring found, by entry index (0..n-1)."""

    entry_numbers: np.ndarray  # je_number per entry
    line_count: np.ndarray
    findings: pd.DataFrame  # entry, rule_code, severity, strength, flag, group_id, lines, texts
    strongest_line: np.ndarray  # row number of each entry's highest-risk line
    model_strength: np.ndarray  # the models' part of each entry's score
    line_reasons: pd.DataFrame  # reasons, reason_text by row_number (the ML stage's line reasons)
    flags: pd.DataFrame | None  # the findings the ``flag`` positions point into


def _money(value: Any) -> str:
    return f"{float(value):,.2f}"


def _entry_list(entries: Sequence[str]) -> str:
    return ", ".join(entries)


def _times(entries: Sequence[str]) -> str:
    return "twice" if len(entries) == 2 else f"{len(entries)} times"


def _has(details: dict[str, Any], *keys: str) -> bool:
    return all(details.get(k) not in (None, "") for k in keys)


def _exact(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    if not _has(details, "invoice_number", "vendor", "amount"):
        return None
    return (
        f"invoice {details['invoice_number']} from {details['vendor']} for {_money(details['amount'])} "
        f"entered {_times(entries)} ({_entry_list(entries)})"
    )


def _normalized(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    if not _has(details, "invoice_number", "twin_invoice_number", "vendor", "amount"):
        return None
    return (
        f"invoice {details['twin_invoice_number']} from {details['vendor']} for {_money(details['amount'])} "
        f"entered again as {details['invoice_number']} ({_entry_list(entries)})"
    )


def _amount_diff(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    if not _has(details, "invoice_number", "vendor", "amount", "twin_amount"):
        return None
    return (
        f"invoice {details['invoice_number']} from {details['vendor']} entered {_times(entries)}, "
        f"for {_money(details['twin_amount'])} and for {_money(details['amount'])} ({_entry_list(entries)})"
    )


def _near_date(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    if not _has(details, "vendor", "amount", "days_apart"):
        return None
    days = int(details["days_apart"])
    when = "on the same day" if days == 0 else f"{days} day{'' if days == 1 else 's'} apart"
    invoices = ""
    if _has(details, "invoice_number", "twin_invoice_number"):
        invoices = f" under invoices {details['twin_invoice_number']} and {details['invoice_number']}"
    return (
        f"{_money(details['amount'])} to {details['vendor']} entered {_times(entries)} {when}{invoices} "
        f"({_entry_list(entries)})"
    )


def _name_variant(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    if not _has(details, "invoice_number", "vendor", "twin_vendor", "amount"):
        return None
    return (
        f"invoice {details['invoice_number']} for {_money(details['amount'])} entered under "
        f"{details['twin_vendor']} and again under {details['vendor']} ({_entry_list(entries)})"
    )


def _self_approved(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    return f"posted and approved by {details['user']}" if _has(details, "user") else None


def _unbalanced(details: dict[str, Any], entries: Sequence[str]) -> str | None:
    if not _has(details, "debits", "credits", "difference"):
        return None
    return (
        f"debits {_money(details['debits'])} and credits {_money(details['credits'])} "
        f"do not balance: off by {_money(details['difference'])}"
    )


# Findings said of the entry as a whole; the others keep the sentence of the line that carries them.
# Duplicate phrases need the group's entries: with fewer than two, the stored sentence is used.
GROUP_PHRASES: dict[str, Phrase] = {
    "DUP_EXACT": _exact,
    "DUP_INVOICE_NORMALIZED": _normalized,
    "DUP_INVOICE_AMOUNT_DIFF": _amount_diff,
    "DUP_VENDOR_AMOUNT_NEAR_DATE": _near_date,
    "DUP_VENDOR_NAME_VARIANT": _name_variant,
}
ENTRY_PHRASES: dict[str, Phrase] = {"SELF_APPROVED": _self_approved, "UNBALANCED_ENTRY": _unbalanced}


def lower_first(text: str) -> str:
    """A sentence as a clause: its first word in lower case unless it is a code or a name in capitals."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def finding_phrase(rule_code: str, severity: str, details: Any, reason: str | None, entries: Sequence[str]) -> str:
    """The finding in words about its entry; ``entries``: the entry numbers of its duplicate group."""
    facts = details_of(details)
    rule = RULES.get(rule_code)
    phrase: Phrase | None = ENTRY_PHRASES.get(rule_code)
    # A duplicate test graded below its usual severity says why in its own sentence (e.g. that chance
    # explains such pairs): that sentence is kept.
    demoted = rule is not None and severity != rule.severity
    if rule_code in GROUP_PHRASES and len(entries) >= 2 and not demoted:
        phrase = GROUP_PHRASES[rule_code]
    text = phrase(facts, entries) if phrase is not None else None
    if text is None:
        text = reason if reason else (rule.title if rule is not None else rule_code)
        text = lower_first(text)
    return text


def model_phrase(row_number: int, codes: str, text: str, rule_texts: dict[str, str]) -> tuple[list[str], str] | None:
    """The models' reasons of a line that are not rule findings (those are said already), with the line
    they are about; None when the line has none."""
    parts = _feature_parts(codes, text, rule_texts)
    if not parts:
        return None
    feature_codes = [code for code, _ in parts]
    return feature_codes, f"row {row_number}: " + ", ".join(lower_first(phrase) for _, phrase in parts)


def _feature_parts(codes: str, text: str, rule_texts: dict[str, str]) -> list[tuple[str, str]]:
    """(code, phrase) of the line's model reasons, read off its reason text in the order of its codes.

    Rule phrases may themselves hold the separator, so they are matched by their known sentence."""
    parts: list[tuple[str, str]] = []
    position = 0
    for code in [c.strip() for c in codes.split(SEPARATOR.strip()) if c.strip()]:
        if code in RULES:
            known = rule_texts.get(code, RULES[code].title)
            if not text.startswith(known, position):
                return []
            position += len(known) + len(SEPARATOR)
            continue
        end = text.find(SEPARATOR, position)
        end = len(text) if end < 0 else end
        parts.append((code, text[position:end]))
        position = end + len(SEPARATOR)
    return parts


def _group_entries(evidence: EntryEvidence) -> dict[str, list[str]]:
    """The entry numbers of each duplicate group, in order."""
    grouped = evidence.findings.loc[evidence.findings["group_id"].notna(), ["group_id", "entry"]]
    numbers = evidence.entry_numbers
    return {
        str(group): sorted(numbers[np.asarray(members, dtype=np.int64)].tolist())
        for group, members in grouped.groupby("group_id")["entry"].unique().items()
    }


def _rule_texts_of(flags: pd.DataFrame | None, rows: set[int]) -> dict[int, dict[str, str]]:
    """Per row: the sentence of its first finding of each rule (as the line reasons quote them)."""
    if flags is None or not rows or len(flags) == 0:
        return {}
    hits = flags[flags["row_number"].isin(rows)].drop_duplicates(["row_number", "rule_code"])
    texts: dict[int, dict[str, str]] = {}
    for row, code, reason in zip(hits["row_number"], hits["rule_code"], hits["reason"], strict=True):
        texts.setdefault(int(row), {})[str(code)] = str(reason) if isinstance(reason, str) else RULES[code].title
    return texts


def entry_reasons(evidence: EntryEvidence, max_reasons: int) -> pd.DataFrame:
    """``rule_codes``, ``reasons`` and ``reason_text`` per entry (empty for an entry with neither a
    finding nor a line the models explain)."""
    n = len(evidence.entry_numbers)
    # Only the entries with something to say: most entries of a file have nothing.
    items: dict[int, list[Reason]] = defaultdict(list)
    rule_codes: dict[int, list[tuple[float, str]]] = defaultdict(list)
    groups = _group_entries(evidence)
    flags = evidence.flags
    findings = evidence.findings
    details = _column(flags, "details")
    sentences = _column(flags, "reason")
    for entry, code, severity, strength, flag, group_id, lines, texts in zip(
        *(findings[c].tolist() for c in ("entry", "rule_code", "severity", "strength", "flag", "group_id")),
        findings["lines"].tolist(),
        findings["texts"].tolist(),
        strict=True,
    ):
        members = groups.get(group_id, []) if isinstance(group_id, str) else []
        reason = sentences[flag]
        text = finding_phrase(code, severity, details[flag], reason if isinstance(reason, str) else None, members)
        if texts > 1:
            text += f" (and on {lines - 1} more line{'' if lines == 2 else 's'})"
        items[entry].append((float(strength), [code], text))
        rule_codes[entry].append((float(strength), code))

    _add_model_reasons(evidence, items)

    codes_out, reasons_out, text_out = (np.full(n, "", dtype=object) for _ in range(3))
    for entry, codes in rule_codes.items():
        codes_out[entry] = SEPARATOR.join(code for _, code in sorted(codes, key=lambda x: -x[0]))
    for entry, said in items.items():
        chosen = _strongest_distinct(said, max_reasons)
        if not chosen:
            continue
        reasons_out[entry] = SEPARATOR.join(code for codes, _ in chosen for code in codes)
        size = int(evidence.line_count[entry])
        text_out[entry] = SEPARATOR.join([f"{size} line{'' if size == 1 else 's'}", *(text for _, text in chosen)])
    return pd.DataFrame(
        {
            "rule_codes": pd.array(codes_out, dtype="string"),
            "reasons": pd.array(reasons_out, dtype="string"),
            "reason_text": pd.array(text_out, dtype="string"),
        }
    )


def _column(flags: pd.DataFrame | None, name: str) -> list[Any]:
    if flags is None or name not in flags.columns:
        return [None] * (0 if flags is None else len(flags))
    return flags[name].tolist()


def _add_model_reasons(evidence: EntryEvidence, items: dict[int, list[Reason]]) -> None:
    """The models' reason of each entry whose riskiest line they explain beyond its rule findings."""
    lines = evidence.line_reasons
    explained = lines[lines["reasons"].fillna("") != ""]
    said = dict(
        zip(
            explained.index.tolist(),
            zip(explained["reasons"].tolist(), explained["reason_text"].fillna("").tolist(), strict=True),
            strict=True,
        )
    )
    rows = evidence.strongest_line.tolist()
    candidates = [e for e, row in enumerate(rows) if row in said]
    rule_texts = _rule_texts_of(evidence.flags, {rows[e] for e in candidates})
    for entry in candidates:
        row = rows[entry]
        codes, text = said[row]
        found = model_phrase(row, str(codes), str(text), rule_texts.get(row, {}))
        if found is not None:
            codes, text = found
            items[entry].append((float(evidence.model_strength[entry]), codes, text))


def _strongest_distinct(items: list[tuple[float, list[str], str]], limit: int) -> list[tuple[list[str], str]]:
    chosen: list[tuple[list[str], str]] = []
    seen_codes: set[str] = set()
    seen_texts: set[str] = set()
    for _, codes, text in sorted(items, key=lambda item: -item[0]):
        fresh = [c for c in codes if c not in seen_codes]
        if not fresh or text in seen_texts:
            continue
        chosen.append((fresh, text))
        seen_codes.update(fresh)
        seen_texts.add(text)
        if len(chosen) == limit:
            break
    return chosen

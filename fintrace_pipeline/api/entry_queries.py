"""The flagged journal entries of a job: entries with a finding or a line the models explain, highest
risk first, each with its lines.

An entry's lines are read by row number: ERPs export an entry's lines one after another, so they are
first looked for in the rows from the entry's first row on, as many as it has; an entry whose lines
are spread over the file is completed by its entry number from its first row on.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, and_, func, literal, or_, select

from fintrace_pipeline.db.schema import entry_scores, transaction_flags, transaction_scores, transactions
from fintrace_pipeline.findings import LIST_SEPARATOR as SEPARATOR
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.verdicts import (
    in_review_state,
    newest_for_entries,
    review_counts,
    with_entry_verdict,
)

# Lines shown with an entry; a longer entry shows its riskiest lines, in file order.
MAX_LINES_PER_ENTRY = 100
ENTRIES_PER_QUERY = 50
ROWS_PER_QUERY = 5_000
NO_ENTRY_NUMBERS = (
    "the file has no journal entry numbers (je_number), so its unit of review is the line: "
    "see /api/flagged-transactions/"
)
NO_ENTRY_SCORES = "this job has stored no entry scores (it has not finished its ML step)"
ENTRY_FIELDS = (
    "je_number",
    "risk_score",
    "line_count",
    "first_row_number",
    "posting_date",
    "debit_total",
    "credit_total",
)
LINE_FIELDS = ("transaction_id", "account", "account_name", "user_name", "vendor", "invoice_number", "description")


def _codes(text: str | None) -> list[str]:
    return [code.strip() for code in (text or "").split(SEPARATOR.strip()) if code.strip()]


def has_rule(rule: str):
    """Entries taking part in a finding of ``rule`` (a whole code of the stored list, not a part of one)."""
    listed = literal(SEPARATOR) + entry_scores.c.rule_codes + literal(SEPARATOR.strip())
    return listed.contains(f"{SEPARATOR}{rule}{SEPARATOR.strip()}", autoescape=True)


def flagged_entries(
    connection: Connection,
    data_file_id: uuid.UUID,
    job_id: uuid.UUID,
    *,
    min_risk: float | None,
    rule: str | None,
    limit: int,
    offset: int,
    review: str | None = None,
) -> tuple[int, list[dict[str, Any]], str | None]:
    """(total, one page of entries, a note when the job has no entries at all); ``review``: only the
    entries in that review state (see ``verdicts.REVIEW_STATES``)."""
    e = entry_scores
    where = _flagged(job_id)
    if min_risk is not None:
        where.append(e.c.risk_score >= min_risk)
    if rule:
        where.append(has_rule(rule))
    source = e
    if review:
        source, verdict = with_entry_verdict(data_file_id, e)
        where.append(in_review_state(verdict, review))
    total = connection.execute(select(func.count()).select_from(source).where(*where)).scalar_one()
    page = connection.execute(
        select(*(e.c[name] for name in (*ENTRY_FIELDS, "rule_codes", "reasons", "reason_text")))
        .select_from(source)
        .where(*where)
        .order_by(e.c.risk_score.desc(), e.c.first_row_number)
        .limit(limit)
        .offset(offset)
    ).all()
    if not page:
        return total, [], entry_note(connection, data_file_id, job_id)
    lines = _lines_of(connection, data_file_id, job_id, page)
    verdicts = newest_for_entries(connection, data_file_id, [row.je_number for row in page])
    items = []
    for row in page:
        item = json_safe({name: getattr(row, name) for name in ENTRY_FIELDS})
        item["rule_codes"] = _codes(row.rule_codes)
        item["reasons"] = _codes(row.reasons)
        item["reason_text"] = row.reason_text
        item["lines"] = lines.get(row.je_number, [])
        item["verdict"] = verdicts.get(row.je_number)
        items.append(item)
    return total, items, None


def _flagged(job_id: uuid.UUID) -> list:
    """The job's flagged entries: those with a reason (a finding, or a line the models explain)."""
    return [entry_scores.c.processing_job_id == job_id, entry_scores.c.reasons != ""]


def entry_review_counts(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID) -> dict[str, int]:
    """The job's flagged entries by their newest verdict (``verdicts.review_counts``)."""
    joined, verdict = with_entry_verdict(data_file_id, entry_scores)
    return review_counts(connection, joined, verdict, *_flagged(job_id))


def entry_note(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID) -> str | None:
    """Why a job lists no entries, when it has none to list whatever the filters."""
    stored = connection.execute(
        select(func.count()).select_from(entry_scores).where(entry_scores.c.processing_job_id == job_id)
    ).scalar_one()
    if stored:
        return None
    data_file = get_data_file(connection, data_file_id)
    mapping = (data_file.column_mapping if data_file else None) or {}
    return NO_ENTRY_SCORES if "je_number" in mapping else NO_ENTRY_NUMBERS


def _chunks(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _lines_of(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, page) -> dict[str, list[dict]]:
    """The lines of each entry of ``page`` by entry number, each with its risk score and rule codes."""
    t = transactions
    columns = [t.c.row_number, t.c.je_number, t.c.amount, *(t.c[name] for name in LINE_FIELDS)]
    found = []
    # A few dozen entries per query keep each statement's conditions and parameters few.
    for chunk in _chunks(list(page), ENTRIES_PER_QUERY):
        runs = or_(*(t.c.row_number.between(r.first_row_number, r.first_row_number + r.line_count - 1) for r in chunk))
        numbers = [r.je_number for r in chunk]
        found += connection.execute(
            select(*columns).where(t.c.data_file_id == data_file_id, t.c.je_number.in_(numbers), runs)
        ).all()
    counts: dict[str, int] = {}
    for row in found:
        counts[row.je_number] = counts.get(row.je_number, 0) + 1
    seen = {row.row_number for row in found}
    for chunk in _chunks([r for r in page if counts.get(r.je_number, 0) < r.line_count], ENTRIES_PER_QUERY):
        rest = connection.execute(
            select(*columns).where(
                t.c.data_file_id == data_file_id,
                t.c.row_number >= min(r.first_row_number for r in chunk),
                or_(*(and_(t.c.je_number == r.je_number, t.c.row_number >= r.first_row_number) for r in chunk)),
            )
        ).all()
        found += [row for row in rest if row.row_number not in seen]
    row_numbers = [row.row_number for row in found]
    risk = _line_risk(connection, job_id, row_numbers)
    codes = _line_codes(connection, job_id, row_numbers)
    by_entry: dict[str, list[dict]] = {}
    for row in sorted(found, key=lambda r: r.row_number):
        by_entry.setdefault(row.je_number, []).append(_line(row, risk.get(row.row_number), codes.get(row.row_number)))
    return {number: _shown(lines) for number, lines in by_entry.items()}


def _line(row, risk: float | None, codes: list[str] | None) -> dict[str, Any]:
    amount = row.amount
    line = json_safe(
        {
            "row_number": row.row_number,
            **{("user" if name == "user_name" else name): getattr(row, name) for name in LINE_FIELDS},
            "amount": amount,
            "debit": amount if amount is not None and amount > 0 else None,
            "credit": -amount if amount is not None and amount < 0 else None,
            "risk_score": risk,
        }
    )
    line["rule_codes"] = codes or []
    return line


def _shown(lines: list[dict]) -> list[dict]:
    if len(lines) <= MAX_LINES_PER_ENTRY:
        return lines
    riskiest = sorted(lines, key=lambda line: (-(line["risk_score"] or 0.0), line["row_number"]))
    kept = {line["row_number"] for line in riskiest[:MAX_LINES_PER_ENTRY]}
    return [line for line in lines if line["row_number"] in kept]


def _line_risk(connection: Connection, job_id: uuid.UUID, row_numbers: list[int]) -> dict[int, float]:
    s = transaction_scores
    risk: dict[int, float] = {}
    for chunk in _chunks(row_numbers, ROWS_PER_QUERY):
        rows = connection.execute(
            select(s.c.row_number, s.c.risk_score).where(s.c.processing_job_id == job_id, s.c.row_number.in_(chunk))
        )
        risk.update((row.row_number, row.risk_score) for row in rows)
    return risk


def _line_codes(connection: Connection, job_id: uuid.UUID, row_numbers: list[int]) -> dict[int, list[str]]:
    f = transaction_flags
    codes: dict[int, list[str]] = {}
    for chunk in _chunks(row_numbers, ROWS_PER_QUERY):
        rows = connection.execute(
            select(f.c.row_number, f.c.rule_code)
            .where(f.c.processing_job_id == job_id, f.c.row_number.in_(chunk))
            .distinct()
            .order_by(f.c.row_number, f.c.rule_code)
        )
        for row in rows:
            codes.setdefault(row.row_number, []).append(row.rule_code)
    return codes

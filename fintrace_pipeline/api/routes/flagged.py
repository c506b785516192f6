"""The transactions, and the journal entries, of a file's job that a rule flagged or the models call high risk."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok


async def flagged_transactions(request: Request) -> Response:
    """Transactions with a rule finding or a high ML risk in a file's latest job, highest risk first.
    ---
    summary: Flagged transactions of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {$ref: "#/components/parameters/MinRisk"}
      - {$ref: "#/components/parameters/RuleCode"}
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
    responses:
      200: {description: "total, limit, offset and transactions (row_number, transaction_id, risk_score,
                          rule_codes, findings, posting_date, amount, user, vendor, account)",
            content: {application/json: {schema: {$ref: "#/components/schemas/FlaggedTransactionsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    limit, offset = params.limit_offset(query)
    min_risk = params.optional_float(query, "min_risk", *params.RISK_SCORE_RANGE)
    rule = params.optional_text(query, "rule", max_length=params.MAX_RULE_CODE_LENGTH)
    file_id, job_id = params.file_or_job(query, file_required=True)
    file_id, job_id, (total, transactions) = await reader(request).flagged_transactions(
        file_id, job_id, min_risk=min_risk, rule=rule, limit=limit, offset=offset
    )
    return json_ok(
        {
            "file_id": str(file_id),
            "job_id": str(job_id),
            "total": total,
            "limit": limit,
            "offset": offset,
            "transactions": transactions,
        }
    )


async def flagged_entries(request: Request) -> Response:
    """Journal entries with a rule finding or a line the models explain, in a file's latest job, highest risk first.
    ---
    summary: Flagged journal entries of a file
    description: "Where the file has journal entry numbers (je_number) each entry is scored from its lines
      (their risk scores, their findings of every stage, the entry's size); its risk_score is its percentile
      among the file's entries. A file without entry numbers has none: the answer is an empty list with a
      note, and its findings are per line (/api/flagged-transactions/)."
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {$ref: "#/components/parameters/MinEntryRisk"}
      - {$ref: "#/components/parameters/EntryRuleCode"}
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
    responses:
      200: {description: "total, limit, offset, note and entries (je_number, risk_score, line_count, posting_date,
                          debit_total, credit_total, rule_codes, reasons, reason_text, lines)",
            content: {application/json: {schema: {$ref: "#/components/schemas/FlaggedEntriesResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    limit, offset = params.limit_offset(query)
    min_risk = params.optional_float(query, "min_risk", *params.RISK_SCORE_RANGE)
    rule = params.optional_text(query, "rule", max_length=params.MAX_RULE_CODE_LENGTH)
    file_id, job_id = params.file_or_job(query, file_required=True)
    file_id, job_id, (total, entries, note) = await reader(request).flagged_entries(
        file_id, job_id, min_risk=min_risk, rule=rule, limit=limit, offset=offset
    )
    return json_ok(
        {
            "file_id": str(file_id),
            "job_id": str(job_id),
            "total": total,
            "limit": limit,
            "offset": offset,
            "note": note,
            "entries": entries,
        }
    )

"""Per-transaction findings and the downloads built from them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from fintrace_pipeline import exports
from fintrace_pipeline.api import export_queries, params, queries
from fintrace_pipeline.api.errors import DatabaseUnavailable, is_connection_error
from fintrace_pipeline.api.export_stream import export_body
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.routes_results import database, file_or_job
from fintrace_pipeline.db.engine import get_streaming_engine

EXPORT_FORMATS = ("csv", "xlsx")


async def flagged_transactions(request: Request) -> Response:
    """Transactions with a rule finding or a high ML risk in a file's latest job, highest risk first.
    ---
    summary: Flagged transactions of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {name: min_risk, in: query, required: false, schema: {type: number, minimum: 0, maximum: 100},
         description: "Only transactions whose ensemble risk score (0-100) is at least this."}
      - {name: rule, in: query, required: false, schema: {type: string, maxLength: 50},
         description: "Only transactions flagged by this rule code."}
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
    min_risk = params.optional_float(query, "min_risk", 0.0, 100.0)
    rule = params.optional_text(query, "rule", max_length=50)
    file_id, job_id = await file_or_job(request, file_required=True)
    total, items = await database(request).read(
        lambda connection: queries.flagged_transactions(
            connection, file_id, job_id, min_risk=min_risk, rule=rule, limit=limit, offset=offset
        )
    )
    return json_ok(
        {
            "file_id": str(file_id),
            "job_id": str(job_id),
            "total": total,
            "limit": limit,
            "offset": offset,
            "transactions": items,
        }
    )


async def export(request: Request) -> Response:
    """Download scores, findings, duplicate groups or the trial balance of a file as CSV or XLSX.
    ---
    summary: Export results of a file
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {name: what, in: query, required: true,
         schema: {type: string, enum: [scores, flags, duplicates, trial_balance]},
         description: "Per-transaction risk scores (highest first), every finding, duplicate groups,
                       or the trial balance per account."}
      - {name: format, in: query, required: false, schema: {type: string, enum: [csv, xlsx], default: csv},
         description: "CSV streams any size; xlsx is refused (400) above 1,048,575 rows, the sheet limit."}
    responses:
      200:
        description: "The file, as an attachment"
        content:
          text/csv: {schema: {type: string}}
          application/vnd.openxmlformats-officedocument.spreadsheetml.sheet: {schema: {type: string, format: binary}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    what = params.choice(query, "what", export_queries.EXPORTS, "")
    file_format = params.choice(query, "format", EXPORT_FORMATS, "csv")
    file_id, job_id = await file_or_job(request, file_required=True)
    engine = get_streaming_engine(database(request).url)
    try:
        body = await export_body(engine, what, file_format, file_id, job_id)
    except Exception as exc:
        if is_connection_error(exc):
            raise DatabaseUnavailable() from exc
        raise
    headers = {"Content-Disposition": f'attachment; filename="fintrace-{what}-{file_id}.{file_format}"'}
    media_type = exports.MEDIA_TYPES[file_format]
    if isinstance(body, bytes):
        return Response(body, media_type=media_type, headers=headers)
    return StreamingResponse(body, media_type=media_type, headers=headers)

"""Per-transaction findings and the downloads built from them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from fintrace_pipeline import exports
from fintrace_pipeline.api import export_queries, params, queries
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.api.routes_results import database, file_or_job

EXPORT_FORMATS = ("csv", "xlsx")


async def flagged_transactions(request: Request) -> Response:
    """Transactions with findings in a file's latest job, highest risk score first.
    ---
    summary: Flagged transactions of a file
    parameters:
      - {name: file_id, in: query, required: true, schema: {type: string, format: uuid}}
      - {name: job_id, in: query, required: false, schema: {type: string, format: uuid}}
      - {name: min_risk, in: query, required: false, schema: {type: number, minimum: 0, maximum: 100},
         description: "Only transactions whose ensemble risk score (0-100) is at least this."}
      - {name: rule, in: query, required: false, schema: {type: string, maxLength: 50},
         description: "Only transactions flagged by this rule code."}
      - {name: limit, in: query, required: false, schema: {type: integer, minimum: 1, maximum: 1000, default: 50}}
      - {name: offset, in: query, required: false, schema: {type: integer, minimum: 0, maximum: 10000000, default: 0}}
    responses:
      200: {description: "total, limit, offset and transactions (row_number, transaction_id, risk_score,
                          rule_codes, findings, posting_date, amount, user, vendor, account)",
            content: {application/json: {schema: {$ref: "#/components/schemas/Success"}}}}
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
      - {name: file_id, in: query, required: true, schema: {type: string, format: uuid}}
      - {name: job_id, in: query, required: false, schema: {type: string, format: uuid}}
      - {name: what, in: query, required: true,
         schema: {type: string, enum: [scores, flags, duplicates, trial_balance]}}
      - {name: format, in: query, required: false, schema: {type: string, enum: [csv, xlsx], default: csv}}
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
    frame = await database(request).read(export_queries.export_frame, what, file_id, job_id)
    file_name = f"fintrace-{what}-{file_id}.{file_format}"
    return StreamingResponse(
        exports.export_chunks(frame, file_format),
        media_type=exports.MEDIA_TYPES[file_format],
        headers={"Content-Disposition": f'attachment; filename="{file_name}"'},
    )

"""A file's review queue: its flagged entries (or transactions) to decide, highest risk first."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.access import Forbidden, identity_of
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok
from fintrace_pipeline.roles import RECORD_VERDICTS, may


async def review_queue(request: Request) -> Response:
    """A file's flagged entries (where it has journal entries) or flagged transactions, highest risk first,
    with how many of them are reviewed and whether the caller may record verdicts.
    ---
    summary: Review queue of a file
    description: "The unit of review is the journal entry where the file has entry numbers, else the
      transaction; each item is as /api/flagged-entries/ or /api/flagged-transactions/ gives it, with the
      verdict that counts for it. counts are of the whole queue whatever the filter and page; total is of
      the review state asked for. may_record says whether the caller's role may record verdicts, and
      record_refusal why not."
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
      - {$ref: "#/components/parameters/ReviewState"}
      - {$ref: "#/components/parameters/Limit"}
      - {$ref: "#/components/parameters/Offset"}
    responses:
      200: {description: "unit, counts, total, limit, offset, review, note, reviewer, may_record, record_refusal
                          and items",
            content: {application/json: {schema: {$ref: "#/components/schemas/ReviewQueueResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    query = request.query_params
    limit, offset = params.limit_offset(query)
    review = params.choice(query, params.REVIEW_STATE)
    file_id, job_id = params.file_or_job(query, file_required=True)
    file_id, job_id, queue = await reader(request).review_queue(
        file_id, job_id, review=review, limit=limit, offset=offset
    )
    identity = identity_of(request)
    allowed = may(identity.role, RECORD_VERDICTS)
    return json_ok(
        {
            "file_id": str(file_id),
            "job_id": str(job_id),
            "unit": queue["unit"],
            "counts": queue["counts"],
            "total": queue["total"],
            "limit": limit,
            "offset": offset,
            "review": review,
            "note": queue["note"],
            "reviewer": {"name": identity.name, "role": identity.role},
            "may_record": allowed,
            "record_refusal": None if allowed else Forbidden(identity, RECORD_VERDICTS).message,
            "items": queue["items"],
        }
    )

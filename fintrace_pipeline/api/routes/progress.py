"""A processing job's progress, the most polled endpoint."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_response


async def processing_progress(request: Request) -> Response:
    """Step-by-step progress of a job; ``status`` is the job's, so pollers stop on FAILED/CANCELED too.
    ---
    summary: Real-time processing progress
    parameters:
      - {name: job_id, in: query, required: true, schema: {type: string, format: uuid},
         description: "The processing job (job_id of an upload, or job.id of a processing summary)."}
    responses:
      200: {description: "progress: overall_progress, current_step, status, steps, step_details, error_log",
            content: {application/json: {schema: {$ref: "#/components/schemas/ProgressResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    job_id = params.required_uuid(request.query_params, "job_id")
    return json_response(await reader(request).progress(job_id))

"""A processing job's progress, the most polled endpoint."""

from __future__ import annotations

from sse_starlette import EventSourceResponse
from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.progress_stream import PING_S, progress_events
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


async def processing_progress_stream(request: Request) -> Response:
    """The job's progress as Server-Sent Events: an event per change, the last one the terminal state.
    ---
    summary: Live processing progress (Server-Sent Events)
    parameters:
      - {name: job_id, in: query, required: true, schema: {type: string, format: uuid},
         description: "The processing job (job_id of an upload, or job.id of a processing summary)."}
    responses:
      200: {description: "text/event-stream of `progress` events, each carrying the object processing-progress
             answers with; the stream ends after the event with status COMPLETED, FAILED or CANCELED",
            content: {text/event-stream: {schema: {type: object, required: [event, data],
              properties: {event: {type: string, enum: [progress]},
                           data: {type: string, contentMediaType: application/json,
                                  description: "the progress object, as processing-progress answers"}}}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    job_id = params.required_uuid(request.query_params, "job_id")
    job_reader = reader(request)
    await job_reader.progress(job_id)  # an unknown job is a 404 before the stream starts
    # X-Accel-Buffering: a proxy in front must pass each event on at once.
    headers = {"X-Accel-Buffering": "no", "Cache-Control": "no-cache"}
    return EventSourceResponse(progress_events(job_reader, job_id), ping=PING_S, headers=headers)

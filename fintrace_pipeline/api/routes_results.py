"""The seed's four read endpoints: processing summary, analytics results, ML results, progress."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import fastpath, params, queries
from fintrace_pipeline.api.change_feed import ChangeFeed
from fintrace_pipeline.api.db import ApiDatabase
from fintrace_pipeline.api.errors import BadRequest, NotFound
from fintrace_pipeline.api.responses import RawJSON, dumps, json_ok, merge_object
from fintrace_pipeline.api.summary_cache import SummaryCache
from fintrace_pipeline.findings import SECTIONS
from fintrace_pipeline.persistence import views
from fintrace_pipeline.stages import ANALYTICS_TYPES, MODEL_TYPES

ALL = "all"


def database(request: Request) -> ApiDatabase:
    return request.app.state.database


def change_feed(request: Request) -> ChangeFeed | None:
    """The notification-evicted answer cache (PostgreSQL only), its listener started on first use."""
    feed: ChangeFeed | None = request.app.state.change_feed
    if feed is not None:
        feed.ensure_started()
    return feed


async def file_or_job(request: Request, *, file_required: bool) -> tuple[uuid.UUID, uuid.UUID]:
    """The (data_file_id, job_id) a request names through ``file_id`` and/or ``job_id``."""
    file_id = params.optional_uuid(request.query_params, "file_id")
    job_id = params.optional_uuid(request.query_params, "job_id")
    if file_required and file_id is None:
        raise BadRequest("file_id is required")
    if file_id is None and job_id is None:
        raise BadRequest("file_id or job_id is required")
    return await database(request).read(queries.resolve_job, file_id, job_id)


async def processing_results(request: Request) -> Response:
    """Everything stored for one processing job: file, job, analytics and ML summaries, progress.
    ---
    summary: Processing summary of a file's latest job (or of a given job)
    parameters:
      - {name: file_id, in: query, required: false, schema: {type: string, format: uuid},
         description: "The data file; its newest COMPLETED job is used, else its newest job."}
      - {name: job_id, in: query, required: false, schema: {type: string, format: uuid},
         description: "A processing job (one of file_id or job_id is required)."}
    responses:
      200: {description: "processing_summary with analytics_results, ml_results, progress, data_file, job",
            content: {application/json: {schema: {$ref: "#/components/schemas/ProcessingResultsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    file_id = params.optional_uuid(request.query_params, "file_id")
    job_id = params.optional_uuid(request.query_params, "job_id")
    if file_id is None and job_id is None:
        raise BadRequest("file_id or job_id is required")
    db = database(request)
    feed = change_feed(request)
    # A request naming both a file and a job is checked against the database every time.
    feed_key = ("file", file_id) if job_id is None else ("job", job_id) if file_id is None else None
    if feed_key is None:
        feed = None
    body = feed.get(feed_key) if feed is not None else None
    if body is not None:
        return Response(body, media_type="application/json")
    ticket = feed.ticket() if feed is not None else None
    if db.is_postgres:
        state = await db.on_driver(fastpath.job_state, file_id, job_id)
    else:
        state = await db.read(queries.job_state, file_id, job_id)
    if state is None:
        await db.read(queries.resolve_job, file_id, job_id)  # raises NotFound with the precise reason
        raise NotFound("no such processing job")
    data_file_id, job_id, token = state
    cache: SummaryCache = request.app.state.summary_cache
    body = cache.get(job_id, token)
    if body is None:
        summary = await db.read(views.processing_summary, job_id)
        if summary is None:
            raise NotFound("no such processing job")
        body = dumps({"success": True, "processing_summary": summary}).encode("utf-8")
        cache.put(job_id, token, body)
    if feed is not None:
        feed.store(ticket, feed_key, data_file_id, body)
    return Response(body, media_type="application/json")


def _analytics_item(row: dict[str, Any]) -> dict[str, Any]:
    raw = row["json"]
    item: dict[str, Any] = dict(row["scalars"])
    item.update({name: RawJSON(text) for name, text in raw.items() if name not in SECTIONS})
    item["detailed_results"] = {name: RawJSON(raw.get(name)) for name in SECTIONS}
    return item


async def analytics_results(request: Request) -> Response:
    """Stored analytics results of a file's job, their JSON sections under ``detailed_results``.
    ---
    summary: Analytics results by type
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {name: analytics_type, in: query, required: false,
         schema: {type: string, enum: [default_analytics, comprehensive_expense, duplicate_analysis,
                                       anomaly_detection, all], default: all},
         description: "One analytics stage, or all of them."}
      - {$ref: "#/components/parameters/JobIdOfFile"}
    responses:
      200: {description: "file_id, job_id and results (each with detailed_results.trial_balance_data, ...)",
            content: {application/json: {schema: {$ref: "#/components/schemas/AnalyticsResultsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    kind = params.choice(request.query_params, "analytics_type", (*ANALYTICS_TYPES, ALL), ALL)
    file_id, job_id = await file_or_job(request, file_required=True)
    rows = await database(request).read(queries.analytics_rows, job_id, None if kind == ALL else kind)
    return json_ok({"file_id": str(file_id), "job_id": str(job_id), "results": [_analytics_item(r) for r in rows]})


def _ml_item(row: dict[str, Any]) -> dict[str, Any]:
    raw = row["json"]
    item: dict[str, Any] = dict(row["scalars"])
    extras = {name: RawJSON(raw.get(name)) for name in ("model_metrics", "feature_importance")}
    item.update(extras)
    # As views.ml_results: the metrics and feature importance are also part of detailed_results.
    item["detailed_results"] = merge_object(RawJSON(raw.get("detailed_results")), extras)
    return item


async def ml_processing_results(request: Request) -> Response:
    """Stored ML model results of a file's job; ``detailed_results`` carries model_metrics too.
    ---
    summary: ML processing results by model type
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {name: model_type, in: query, required: false,
         schema: {type: string, enum: [isolation_forest, random_forest, dbscan, ensemble, duplicate_detection,
                                       anomaly_detection, all], default: all},
         description: "One model, or all of them."}
      - {$ref: "#/components/parameters/JobIdOfFile"}
    responses:
      200: {description: "file_id, job_id and results (each with detailed_results.model_metrics, ...)",
            content: {application/json: {schema: {$ref: "#/components/schemas/MlResultsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    kind = params.choice(request.query_params, "model_type", (*MODEL_TYPES, ALL), ALL)
    file_id, job_id = await file_or_job(request, file_required=True)
    rows = await database(request).read(queries.ml_rows, job_id, None if kind == ALL else kind)
    return json_ok({"file_id": str(file_id), "job_id": str(job_id), "results": [_ml_item(r) for r in rows]})


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
    db = database(request)
    if db.is_postgres:
        feed = change_feed(request)
        body = feed.get(("progress", job_id))
        if body is not None:
            return Response(body, media_type="application/json")
        ticket = feed.ticket()
        progress = await db.on_driver(fastpath.progress_json, job_id)
        if progress is None:
            raise NotFound("no such processing job")
        body = f'{{"success":true,"progress":{progress}}}'.encode()
        feed.store(ticket, ("progress", job_id), None, body)
        return Response(body, media_type="application/json")
    progress = await db.read(views.progress_view, job_id)
    if progress is None:
        raise NotFound("no such processing job")
    return json_ok({"progress": progress})

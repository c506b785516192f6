"""The seed's result endpoints: a job's processing summary, its analytics results and its ML results."""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from fintrace_pipeline.api import params
from fintrace_pipeline.api.reader import reader
from fintrace_pipeline.api.responses import json_ok, json_response


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
    file_id, job_id = params.file_or_job(request.query_params, file_required=False)
    return json_response(await reader(request).processing_summary(file_id, job_id))


async def analytics_results(request: Request) -> Response:
    """Stored analytics results of a file's job, their JSON sections under ``detailed_results``.
    ---
    summary: Analytics results by type
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/AnalyticsType"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
    responses:
      200: {description: "file_id, job_id and results (each with detailed_results.trial_balance_data, ...)",
            content: {application/json: {schema: {$ref: "#/components/schemas/AnalyticsResultsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    analytics_type = params.type_filter(params.choice(request.query_params, params.ANALYTICS_TYPE))
    file_id, job_id = params.file_or_job(request.query_params, file_required=True)
    file_id, job_id, results = await reader(request).analytics_results(file_id, job_id, analytics_type)
    return _results_response(file_id, job_id, results)


async def ml_processing_results(request: Request) -> Response:
    """Stored ML model results of a file's job; ``detailed_results`` carries model_metrics too.
    ---
    summary: ML processing results by model type
    parameters:
      - {$ref: "#/components/parameters/FileId"}
      - {$ref: "#/components/parameters/ModelType"}
      - {$ref: "#/components/parameters/JobIdOfFile"}
    responses:
      200: {description: "file_id, job_id and results (each with detailed_results.model_metrics, ...)",
            content: {application/json: {schema: {$ref: "#/components/schemas/MlResultsResponse"}}}}
      400: {$ref: "#/components/responses/BadRequest"}
      404: {$ref: "#/components/responses/NotFound"}
      503: {$ref: "#/components/responses/Unavailable"}
    """
    model_type = params.type_filter(params.choice(request.query_params, params.MODEL_TYPE))
    file_id, job_id = params.file_or_job(request.query_params, file_required=True)
    file_id, job_id, results = await reader(request).ml_results(file_id, job_id, model_type)
    return _results_response(file_id, job_id, results)


def _results_response(file_id: uuid.UUID, job_id: uuid.UUID, results: list[dict[str, Any]]) -> Response:
    return json_ok({"file_id": str(file_id), "job_id": str(job_id), "results": results})

"""The route table: the JSON API mounted under ``/api``, the health check and the OpenAPI document.

The dashboard's pages are added beside these by the app; paths keep their trailing slash (or lack
of it) as the seed spells them, and the other spelling is redirected.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Mount, Route

from fintrace_pipeline.api.routes import (
    audit_log,
    exports,
    files,
    flagged,
    health,
    history,
    progress,
    references,
    reports,
    results,
    review_queue,
    sample,
    sources,
    verdicts,
)

API_PATH = "/api"

API_ROUTES: list[BaseRoute] = [
    Route("/processing-results/", results.processing_results, methods=["GET"]),
    Route("/analytics-results/", results.analytics_results, methods=["GET"]),
    Route("/ml-processing-results/", results.ml_processing_results, methods=["GET"]),
    Route("/processing-progress/", progress.processing_progress, methods=["GET"]),
    Route("/processing-progress/stream", progress.processing_progress_stream, methods=["GET"]),
    Route("/files", files.upload_file, methods=["POST"]),
    Route("/files/preview", files.preview_file, methods=["POST"]),
    Route("/files/", files.list_files, methods=["GET"]),
    Route("/files/{data_file_id}", files.delete_file, methods=["DELETE"]),
    Route("/flagged-transactions/", flagged.flagged_transactions, methods=["GET"]),
    Route("/flagged-entries/", flagged.flagged_entries, methods=["GET"]),
    Route("/exports/", exports.export, methods=["GET"]),
    Route("/reports/", reports.report, methods=["GET"]),
    Route("/sources/", sources.list_sources, methods=["GET"]),
    Route("/sample/", sample.sample, methods=["GET"]),
    Route("/file-comparison/", history.file_comparison, methods=["GET"]),
    Route("/source-trends/", history.source_trends, methods=["GET"]),
    Route("/references", references.upload_reference_list, methods=["POST"]),
    Route("/references", references.reference_lists, methods=["GET"]),
    Route("/verdicts/", verdicts.record_verdicts, methods=["POST"]),
    Route("/verdicts/", verdicts.file_verdicts, methods=["GET"]),
    Route("/review-queue/", review_queue.review_queue, methods=["GET"]),
    Route("/audit-log/", audit_log.audit_log, methods=["GET"]),
    Route("/ping", health.ping, methods=["GET"]),
]

ROUTES: list[BaseRoute] = [
    Mount(API_PATH, routes=API_ROUTES),
    Route("/healthz", health.healthz, methods=["GET"]),
    Route("/openapi.json", health.openapi, methods=["GET"], include_in_schema=False),
]

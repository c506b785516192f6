"""``AnalyticsDBSaver``: the one way results reach the database (the seed's interface).

Every save is one transaction and idempotent per (job, analytics or model type, or the job's entry
scores): a retried step replaces the rows it wrote before instead of adding a second set.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd
from sqlalchemy import Engine, delete, insert

from fintrace_pipeline.db import bulk
from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import (
    analytics_processing_results,
    entry_scores,
    ml_model_processing_results,
    transaction_flags,
    transaction_scores,
)
from fintrace_pipeline.findings import (
    COMPLETED,
    ENTRY_SCORE_COLUMNS,
    FLAG_COLUMNS,
    SCORE_COLUMNS,
    SECTIONS,
    SUMMARY_FIELDS,
    AnalysisResult,
    ModelResult,
    empty_flags,
)
from fintrace_pipeline.jsonsafe import json_safe
from fintrace_pipeline.persistence import jobs
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.records import ProcessingJob
from fintrace_pipeline.persistence.views import processing_summary
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.stages import ANALYTICS_TYPES
from fintrace_pipeline.status import CANCELED, FAILED
from fintrace_pipeline.status import COMPLETED as JOB_COMPLETED

ANALYSIS_VERSION = "analytics-1.0"  # fits the seed's VARCHAR(20)


def as_analysis_result(analytics_type: str, results: AnalysisResult | Mapping[str, Any]) -> AnalysisResult:
    """Accept the seed's plain-dict form as well as an ``AnalysisResult``."""
    if isinstance(results, AnalysisResult):
        return results
    flags = results.get("flags")
    return AnalysisResult(
        analytics_type=analytics_type,
        status=results.get("processing_status", COMPLETED),
        summary={k: results[k] for k in SUMMARY_FIELDS if k in results},
        sections={k: results[k] for k in SECTIONS if k in results},
        flags=flags if isinstance(flags, pd.DataFrame) else empty_flags(),
        parameters=dict(results.get("parameters") or {}),
        skipped=list(results.get("skipped_checks") or []),
        error_message=results.get("error_message"),
        processing_duration=results.get("processing_duration"),
    )


def as_model_result(model_type: str, results: ModelResult | Mapping[str, Any]) -> ModelResult:
    if isinstance(results, ModelResult):
        return results
    known = ModelResult.__dataclass_fields__
    values = {k: v for k, v in results.items() if k in known and k != "model_type"}
    if "processing_status" in results:
        values["status"] = results["processing_status"]
    return ModelResult(model_type=model_type, **values)


class AnalyticsDBSaver:
    """``elapsed``: the running step's clock, stamped on results that carry no duration of their own."""

    def __init__(
        self,
        processing_job: ProcessingJob,
        engine: Engine | None = None,
        *,
        elapsed: Callable[[], float] | None = None,
    ):
        self.job = processing_job
        self.engine = engine or get_engine(get_settings().database_url)
        self.elapsed = elapsed

    # -- analytics stages -------------------------------------------------------------------
    def save_analysis(self, analytics_type: str, results: AnalysisResult | Mapping[str, Any]) -> dict[str, Any]:
        """Store one analytics stage's result (``analytics_type`` from the stage registry) and its flags."""
        if analytics_type not in ANALYTICS_TYPES:
            raise ValueError(f"unknown analytics_type {analytics_type!r}; known: {', '.join(ANALYTICS_TYPES)}")
        result = as_analysis_result(analytics_type, results)
        row = {
            **self._result_row(result),
            "analytics_type": analytics_type,
            **{k: json_safe(result.summary.get(k)) for k in SUMMARY_FIELDS},
            **{k: json_safe(result.sections.get(k)) for k in SECTIONS},
            "parameters": json_safe(result.parameters),
            "skipped_checks": json_safe(result.skipped),
            "analysis_version": ANALYSIS_VERSION,
        }
        table = analytics_processing_results
        with self.engine.begin() as connection:
            connection.execute(
                delete(table).where(table.c.processing_job_id == self.job.id, table.c.analytics_type == analytics_type)
            )
            connection.execute(
                delete(transaction_flags).where(
                    transaction_flags.c.processing_job_id == self.job.id,
                    transaction_flags.c.analytics_type == analytics_type,
                )
            )
            connection.execute(insert(table).values(**row))
            bulk.insert_frame(connection, transaction_flags, self._flag_rows(analytics_type, result.flags))
        return json_safe(row)

    # The seed's names for the four analytics stages.
    def save_default_analytics(self, analytics_results) -> dict[str, Any]:
        return self.save_analysis("default_analytics", analytics_results)

    def save_comprehensive_analytics(self, analytics_results) -> dict[str, Any]:
        return self.save_analysis("comprehensive_expense", analytics_results)

    def save_duplicate_analysis(self, duplicate_results) -> dict[str, Any]:
        return self.save_analysis("duplicate_analysis", duplicate_results)

    def save_anomaly_detection_results(self, anomaly_results) -> dict[str, Any]:
        return self.save_analysis("anomaly_detection", anomaly_results)

    def _result_row(self, result: AnalysisResult | ModelResult) -> dict[str, Any]:
        """The columns both result tables share (the seed gives them the same bookkeeping)."""
        now = utcnow()
        duration = result.processing_duration
        if duration is None and self.elapsed is not None:
            duration = self.elapsed()
        return {
            "id": uuid.uuid4(),
            "data_file_id": self.job.data_file_id,
            "processing_job_id": self.job.id,
            "processing_status": result.status,
            "processing_duration": duration,
            "error_message": result.error_message,
            "created_at": now,
            "updated_at": now,
            "processed_at": now,
        }

    def _flag_rows(self, analytics_type: str, flags: pd.DataFrame) -> pd.DataFrame:
        if flags is None or flags.empty:
            return empty_flags()
        rows = flags.loc[:, list(FLAG_COLUMNS)].copy()
        rows["details"] = rows["details"].map(json_safe)
        return rows.assign(
            data_file_id=self.job.data_file_id, processing_job_id=self.job.id, analytics_type=analytics_type
        )

    # -- models -----------------------------------------------------------------------------
    def save_ml_processing_result(
        self, ml_results, model_type: str, scores: pd.DataFrame | None = None
    ) -> dict[str, Any]:
        """Store one model's result; with ``scores``, also the per-transaction risk scores."""
        result = as_model_result(model_type, ml_results)
        row = {
            **self._result_row(result),
            "model_type": model_type,
            "anomalies_detected": result.anomalies_detected,
            "duplicates_found": result.duplicates_found,
            "risk_score": json_safe(result.risk_score),
            "confidence_score": json_safe(result.confidence_score),
            "detailed_results": json_safe(result.detailed_results),
            "model_metrics": json_safe(result.model_metrics),
            "feature_importance": json_safe(result.feature_importance),
            "data_size": result.data_size,
            "model_version": result.model_version,
        }
        table = ml_model_processing_results
        with self.engine.begin() as connection:
            connection.execute(
                delete(table).where(table.c.processing_job_id == self.job.id, table.c.model_type == model_type)
            )
            connection.execute(insert(table).values(**row))
            if scores is not None:
                connection.execute(
                    delete(transaction_scores).where(transaction_scores.c.processing_job_id == self.job.id)
                )
                stored = scores.loc[:, list(SCORE_COLUMNS)].assign(
                    data_file_id=self.job.data_file_id, processing_job_id=self.job.id
                )
                bulk.insert_frame(connection, transaction_scores, stored)
        return json_safe(row)

    def save_entry_scores(self, entries: pd.DataFrame | None) -> int:
        """Store the job's journal-entry scores (findings.ENTRY_SCORE_COLUMNS, one row per entry) in
        place of any it had; None or an empty frame, for a file without entries, leaves it none.
        Returns the number of entries stored."""
        with self.engine.begin() as connection:
            connection.execute(delete(entry_scores).where(entry_scores.c.processing_job_id == self.job.id))
            if entries is None or entries.empty:
                return 0
            stored = entries.loc[:, list(ENTRY_SCORE_COLUMNS)].assign(
                data_file_id=self.job.data_file_id, processing_job_id=self.job.id
            )
            return bulk.insert_frame(connection, entry_scores, stored)

    # -- the job ----------------------------------------------------------------------------
    def finalize_processing(self, success: bool, error_message: str | None = None, *, canceled: bool = False) -> bool:
        """Close the job (COMPLETED, FAILED or CANCELED) and its tracker; False if already closed."""
        status = JOB_COMPLETED if success else (CANCELED if canceled else FAILED)
        return jobs.finish_job(self.engine, self.job.id, status, None if success else error_message)

    def get_processing_summary(self) -> dict[str, Any]:
        with self.engine.connect() as connection:
            return processing_summary(connection, self.job.id)

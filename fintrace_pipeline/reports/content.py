"""Everything a file's workpaper and PDF report show, read once from the results database.

The workbook and the PDF are two renderings of one ``FileReport``, so they never disagree.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Connection, func, select

from fintrace_pipeline.api.export_queries import (
    entries_query,
    flags_query,
    query_frame,
    scores_query,
    trial_balance_frame,
)
from fintrace_pipeline.db.schema import analytics_processing_results, entry_scores, transaction_flags
from fintrace_pipeline.persistence import views
from fintrace_pipeline.rules import RULES
from fintrace_pipeline.stages import ANALYSIS_STAGES

TOP_ITEMS = 200  # flagged entries (or transactions) listed, highest risk first
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Chart:
    title: str
    labels: list[str]
    values: list[float]
    expected: list[float] | None = None  # a reference series drawn beside the bars (Benford's law)
    value_format: str = "{:,.0f}"


@dataclass(frozen=True)
class FileReport:
    data_file: dict[str, Any]
    job: dict[str, Any]
    generated_at: datetime
    facts: list[tuple[str, Any]]  # the summary: (label, value), in reading order
    stage_results: pd.DataFrame  # stage, status, rows, flagged, high risk, seconds
    settings: pd.DataFrame  # stage, option, value: every threshold the results were computed with
    findings: pd.DataFrame  # one row per rule found: code, title, family, severity counts, lines
    unit: str  # "entry" where the file has journal entries, else "transaction"
    flagged: pd.DataFrame  # the highest-risk entries or transactions with reasons and verdicts
    duplicates: pd.DataFrame  # members of duplicate groups
    trial_balance: pd.DataFrame
    charts: list[Chart] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.data_file["file_name"]


def gather(connection: Connection, data_file_id: uuid.UUID, job_id: uuid.UUID, *, top: int = TOP_ITEMS) -> FileReport:
    summary = views.processing_summary(connection, job_id)
    data_file, job = summary["data_file"], summary["job"]
    analytics = summary["analytics_results"]
    has_entries = (
        connection.execute(
            select(func.count()).select_from(entry_scores).where(entry_scores.c.processing_job_id == job_id)
        ).scalar_one()
        > 0
    )
    flagged_query = entries_query(data_file_id, job_id) if has_entries else scores_query(data_file_id, job_id)
    return FileReport(
        data_file=data_file,
        job=job,
        generated_at=datetime.now().replace(microsecond=0),
        facts=_facts(data_file, job),
        stage_results=_stage_results(analytics),
        settings=_settings(analytics),
        findings=_findings(connection, job_id),
        unit="entry" if has_entries else "transaction",
        flagged=query_frame(connection, flagged_query.limit(top)),
        duplicates=query_frame(connection, flags_query(data_file_id, job_id, duplicates_only=True)),
        trial_balance=trial_balance_frame(connection, data_file_id, job_id),
        charts=_charts(connection, job_id),
    )


def _run_seconds(job: dict[str, Any]) -> float | None:
    started, completed = job.get("started_at"), job.get("completed_at")
    if not started or not completed:
        return None
    return round((pd.Timestamp(completed) - pd.Timestamp(started)).total_seconds(), 1)


def _facts(data_file: dict[str, Any], job: dict[str, Any]) -> list[tuple[str, Any]]:
    mapping = data_file.get("column_mapping") or {}
    return [
        ("File", data_file["file_name"]),
        ("Source", data_file.get("source")),
        ("SHA-256", data_file.get("sha256")),
        ("Size (bytes)", data_file.get("size_bytes")),
        ("Format", " ".join(str(v) for v in (data_file.get("file_format"), data_file.get("encoding")) if v)),
        ("Rows read", data_file.get("rows_read")),
        ("Rows loaded", data_file.get("rows_loaded")),
        ("Rows rejected", data_file.get("rows_rejected")),
        ("Country", data_file.get("country") or "default"),
        ("Columns mapped", "; ".join(f"{canonical} ← {source}" for canonical, source in mapping.items())),
        ("Data file id", data_file["id"]),
        ("Processing job", job["id"]),
        ("Dagster run", job.get("dagster_run_id")),
        ("Job status", job.get("status")),
        ("Started", job.get("started_at")),
        ("Completed", job.get("completed_at")),
        ("Run time (s)", _run_seconds(job)),
    ]


def _stage_results(analytics: dict[str, dict]) -> pd.DataFrame:
    rows = []
    for stage in ANALYSIS_STAGES:
        result = analytics.get(stage.analytics_type) or {}
        rows.append(
            {
                "stage": stage.label,
                "status": result.get("processing_status", "not run"),
                "rows": result.get("total_transactions"),
                "flagged": result.get("flagged_transactions"),
                "high_risk": result.get("high_risk_transactions"),
                "seconds": result.get("processing_duration"),
                "skipped": "; ".join(_skipped_text(s) for s in result.get("skipped_checks") or []),
            }
        )
    counts = {name: "Int64" for name in ("rows", "flagged", "high_risk")}
    return pd.DataFrame(rows).astype(counts)


def _skipped_text(skipped: Any) -> str:
    if isinstance(skipped, dict):
        return f"{skipped.get('check') or skipped.get('rule') or ''}: {skipped.get('reason', '')}".strip(": ")
    return str(skipped)


def _settings(analytics: dict[str, dict]) -> pd.DataFrame:
    rows = [
        {"stage": stage.label, "option": name, "value": _setting_text(value)}
        for stage in ANALYSIS_STAGES
        for name, value in ((analytics.get(stage.analytics_type) or {}).get("parameters") or {}).items()
    ]
    return pd.DataFrame(rows, columns=["stage", "option", "value"])


def _setting_text(value: Any) -> str:
    if value is None:
        return "(not set)"
    if isinstance(value, list | tuple):
        return ", ".join(_setting_text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_setting_text(v)}" for k, v in value.items())
    return str(value)


def _findings(connection: Connection, job_id: uuid.UUID) -> pd.DataFrame:
    f = transaction_flags
    counted = connection.execute(
        select(f.c.rule_code, f.c.severity, func.count(), func.count(func.distinct(f.c.row_number)))
        .where(f.c.processing_job_id == job_id)
        .group_by(f.c.rule_code, f.c.severity)
    ).all()
    by_rule: dict[str, dict[str, Any]] = {}
    for code, severity, findings, lines in counted:
        rule = RULES.get(code)
        row = by_rule.setdefault(
            code,
            {
                "rule_code": code,
                "title": rule.title if rule else code,
                "family": rule.family if rule else "",
                "high": 0,
                "medium": 0,
                "low": 0,
                "findings": 0,
                "lines": 0,
            },
        )
        row[severity] = row.get(severity, 0) + findings
        row["findings"] += findings
        row["lines"] += lines
    rows = sorted(by_rule.values(), key=lambda r: (-r["high"], -r["medium"], -r["findings"], r["rule_code"]))
    return pd.DataFrame(rows, columns=["rule_code", "title", "family", "high", "medium", "low", "findings", "lines"])


def _labelled(section: dict[str, Any] | None, title: str, value_format: str = "{:,.0f}") -> Chart | None:
    if not section or not section.get("labels"):
        return None
    return Chart(
        title,
        [str(label) for label in section["labels"]],
        [float(v or 0) for v in section["values"]],
        value_format=value_format,
    )


def _chart_data(connection: Connection, job_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    a = analytics_processing_results
    stored = connection.execute(select(a.c.analytics_type, a.c.chart_data).where(a.c.processing_job_id == job_id)).all()
    return {analytics_type: _json(chart_data) or {} for analytics_type, chart_data in stored}


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _charts(connection: Connection, job_id: uuid.UUID) -> list[Chart]:
    """The dashboard's charts: expenses by category, vendor and month, and the first-digit test."""
    stored = _chart_data(connection, job_id)
    expense = stored.get("comprehensive_expense") or {}
    charts = [
        _labelled(expense.get(name), title, "{:,.2f}")
        for name, title in (
            ("expense_by_category", "Expenses by category"),
            ("expense_by_vendor", "Expenses by vendor"),
            ("expense_by_month", "Expenses by month"),
        )
    ]
    digits = (stored.get("anomaly_detection") or {}).get("benford_first_digit") or []
    if digits:
        charts.append(
            Chart(
                "Benford first digit: observed share (bars) against expected (marks)",
                [str(d["digit"]) for d in digits],
                [float(d["observed"]) for d in digits],
                expected=[float(d["expected"]) for d in digits],
                value_format="{:.1%}",
            )
        )
    return [c for c in charts if c is not None]

"""The response bodies and shared parameters of the OpenAPI document (``components``).

The shapes are the seed's: top-level keys are required and typed; stored JSON sections whose content
varies by analysis or model stay open. Timestamps are ISO 8601 in UTC without an offset, so they are
plain strings rather than ``date-time``. Every field the API may add beyond these is allowed.
"""

from __future__ import annotations

from typing import Any

from fintrace_pipeline import canonical
from fintrace_pipeline.analytics.sampling import MAX_SAMPLE_SIZE, MAX_SEED
from fintrace_pipeline.api.params import (
    ANALYTICS_TYPE,
    AUDIT_ACTION,
    DEFAULT_LIMIT,
    EXPORT_FORMAT,
    EXPORT_KIND,
    LATEST_JOB_STATUS,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_RULE_CODE_LENGTH,
    MAX_SEARCH_LENGTH,
    MODEL_TYPE,
    REPORT_FORMAT,
    REVIEW_STATE,
    RISK_SCORE_RANGE,
    VERDICT,
    Choice,
)
from fintrace_pipeline.api.review_queue import ENTRY, TRANSACTION
from fintrace_pipeline.api.verdict_requests import MAX_ITEMS, MAX_ROW_NUMBER, MAX_TARGET_NAME_LENGTH
from fintrace_pipeline.db.schema import MAX_NAME_LENGTH
from fintrace_pipeline.exports import XLSX_MAX_DATA_ROWS
from fintrace_pipeline.findings import SECTIONS, SUMMARY_FIELDS
from fintrace_pipeline.ingest.mapping import BY_CONTENT, BY_HEADER, BY_USER
from fintrace_pipeline.sources import MAX_SOURCE_LENGTH
from fintrace_pipeline.stages import ANALYTICS_TYPES, MODEL_TYPES, STAGES
from fintrace_pipeline.status import JOB_STATES
from fintrace_pipeline.verdicts import MAX_COMMENT_LENGTH, REVIEW_STATES, VERDICTS

JOB_STATUSES = list(JOB_STATES)

STRING: dict[str, Any] = {"type": "string"}
UUID: dict[str, Any] = {"type": "string", "format": "uuid"}
INTEGER: dict[str, Any] = {"type": "integer"}
NUMBER: dict[str, Any] = {"type": "number"}
BOOLEAN: dict[str, Any] = {"type": "boolean"}
TIMESTAMP: dict[str, Any] = {"type": "string", "description": "ISO 8601, UTC"}
ANY_JSON: dict[str, Any] = {"description": "stored JSON, as the pipeline wrote it (null when absent)"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` or null, spelled so OpenAPI 3.0 honours it (a type beside the keyword, null in an enum)."""
    if "$ref" in schema:
        return {"type": "object", "nullable": True, "allOf": [schema]}
    if "enum" in schema:
        return {**schema, "enum": [*schema["enum"], None], "nullable": True}
    return {**schema, "nullable": True}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, **extra}
    if required:
        schema["required"] = required
    return schema


def success(properties: dict[str, Any]) -> dict[str, Any]:
    """A ``{"success": true, ...}`` body whose ``properties`` are all required."""
    return obj({"success": {"type": "boolean", "enum": [True]}, **properties}, ["success", *properties])


DATA_FILE = obj(
    {
        "id": UUID,
        "file_name": STRING,
        "sha256": STRING,
        "size_bytes": INTEGER,
        "source": STRING,
        "received_via": STRING,
        "file_format": nullable(STRING),
        "user_mapping": nullable({"type": "object", "additionalProperties": STRING}),
        "column_mapping": nullable({"type": "object", "additionalProperties": STRING}),
        "rows_read": nullable(INTEGER),
        "rows_loaded": nullable(INTEGER),
        "rows_rejected": nullable(INTEGER),
        "mapping_details": nullable({"type": "object"}),
        "unmapped_columns": nullable({"type": "array", "items": STRING}),
        "ingest_warnings": nullable({"type": "array", "items": STRING}),
        "rejection_reasons": nullable({"type": "array", "items": {"type": "object"}}),
        "created_at": TIMESTAMP,
    },
    ["id", "file_name", "sha256", "size_bytes", "source", "received_via", "created_at"],
)

JOB = obj(
    {
        "id": UUID,
        "data_file_id": UUID,
        "dagster_run_id": nullable(STRING),
        "trigger": STRING,
        "status": {"type": "string", "enum": JOB_STATUSES},
        "error_message": nullable(STRING),
        "created_at": TIMESTAMP,
        "started_at": nullable(TIMESTAMP),
        "completed_at": nullable(TIMESTAMP),
    },
    ["id", "data_file_id", "trigger", "status", "created_at"],
)

_RESULT_ROW = {"id": UUID, "data_file_id": UUID, "processing_job_id": UUID, "processing_status": STRING}

ANALYTICS_SUMMARY = obj(
    {
        **_RESULT_ROW,
        "analytics_type": {"type": "string", "enum": list(ANALYTICS_TYPES)},
        **{name: nullable(INTEGER) for name in SUMMARY_FIELDS if name != "total_amount"},
        "total_amount": nullable(NUMBER),
        "processing_duration": nullable(NUMBER),
        "error_message": nullable(STRING),
    },
    ["analytics_type", "processing_status"],
)

ANALYTICS_RESULT = {
    "allOf": [
        ANALYTICS_SUMMARY,
        obj(
            {"detailed_results": obj({name: ANY_JSON for name in SECTIONS}, list(SECTIONS))},
            ["detailed_results"],
        ),
    ]
}

ML_SUMMARY = obj(
    {
        **_RESULT_ROW,
        "model_type": {"type": "string", "enum": list(MODEL_TYPES)},
        "anomalies_detected": nullable(INTEGER),
        "duplicates_found": nullable(INTEGER),
        "risk_score": nullable(NUMBER),
        "confidence_score": nullable(NUMBER),
        "processing_duration": nullable(NUMBER),
        "data_size": nullable(INTEGER),
        "error_message": nullable(STRING),
    },
    ["model_type", "processing_status"],
)

ML_RESULT = {
    "allOf": [
        ML_SUMMARY,
        obj(
            {
                "model_metrics": ANY_JSON,
                "feature_importance": ANY_JSON,
                "detailed_results": obj(
                    {"model_metrics": ANY_JSON, "feature_importance": ANY_JSON},
                    ["model_metrics", "feature_importance"],
                    description="the model's stored details, with model_metrics and feature_importance",
                ),
            },
            ["model_metrics", "feature_importance", "detailed_results"],
        ),
    ]
}

_STEP_STATUSES = ("file_processing_status", "analytics_status", "ml_processing_status", "anomaly_detection_status")
_STEP_PROGRESS = ("file_processing_progress", "analytics_progress", "ml_progress", "anomaly_progress")

PROGRESS = obj(
    {
        "job_id": UUID,
        "data_file_id": UUID,
        "status": {"type": "string", "enum": JOB_STATUSES, "description": "the job's; stop polling when terminal"},
        "error_message": nullable(STRING),
        "overall_progress": {"type": "number", "minimum": 0, "maximum": 100},
        "current_step": nullable(STRING),
        "total_steps": INTEGER,
        "completed_steps": INTEGER,
        **{name: STRING for name in _STEP_STATUSES},
        **{name: NUMBER for name in _STEP_PROGRESS},
        "step_details": nullable({"type": "object"}),
        "error_log": nullable({"type": "array", "items": {}}),
        "steps": {
            "type": "array",
            "description": f"one per step, in order: {', '.join(s.name for s in STAGES)}",
            "items": obj(
                {"name": STRING, "label": STRING, "start_percent": NUMBER, "end_percent": NUMBER},
                ["name", "label", "start_percent", "end_percent"],
            ),
        },
    },
    ["job_id", "status", "overall_progress", "current_step", "steps", *_STEP_STATUSES, *_STEP_PROGRESS],
)

PROCESSING_SUMMARY = obj(
    {
        "data_file": ref("DataFile"),
        "job": ref("Job"),
        "analytics_results": {
            "type": "object",
            "description": "by analytics_type",
            "additionalProperties": ref("AnalyticsSummary"),
        },
        "ml_results": {"type": "object", "description": "by model_type", "additionalProperties": ref("MlSummary")},
        "progress": nullable(ref("Progress")),
        "flags_by_rule": {"type": "object", "additionalProperties": INTEGER},
        "rejected_rows": INTEGER,
    },
    ["data_file", "job", "analytics_results", "ml_results", "progress", "flags_by_rule", "rejected_rows"],
)

FILE_ITEM = obj(
    {
        "data_file_id": UUID,
        "file_name": STRING,
        "size_bytes": INTEGER,
        "source": STRING,
        "received_via": STRING,
        "file_format": nullable(STRING),
        "rows_read": nullable(INTEGER),
        "rows_loaded": nullable(INTEGER),
        "rows_rejected": nullable(INTEGER),
        "created_at": TIMESTAMP,
        "latest_job_id": nullable(UUID),
        "latest_job_status": nullable({"type": "string", "enum": JOB_STATUSES}),
        "high_risk_transactions": nullable(INTEGER),
    },
    [
        "data_file_id",
        "file_name",
        "size_bytes",
        "source",
        "received_via",
        "created_at",
        "latest_job_id",
        "latest_job_status",
    ],
)

VERDICT_NAME: dict[str, Any] = {"type": "string", "enum": list(VERDICTS)}
VERDICT_OF_ROW = obj(
    {"verdict": VERDICT_NAME, "comment": nullable(STRING), "reviewer": STRING, "recorded_at": TIMESTAMP},
    ["verdict", "comment", "reviewer", "recorded_at"],
    description="the verdict that counts: on a row its own newest, else its journal entry's; on an entry its newest",
)

FLAGGED_TRANSACTION = obj(
    {
        "row_number": INTEGER,
        "transaction_id": nullable(STRING),
        "risk_score": nullable(NUMBER),
        "rule_codes": {"type": "array", "items": STRING},
        "findings": {
            "type": "array",
            "items": obj(
                {"rule_code": STRING, "severity": nullable(STRING), "reason": nullable(STRING)},
                ["rule_code"],
            ),
        },
        "verdict": nullable(ref("VerdictOfRow")),
    },
    ["row_number", "rule_codes", "findings", "verdict"],
)

VERDICT_REQUEST = obj(
    {
        "file_id": UUID,
        "row_number": {"type": "integer", "minimum": 1, "maximum": MAX_ROW_NUMBER},
        "transaction_id": {"type": "string", "minLength": 1, "maxLength": MAX_TARGET_NAME_LENGTH},
        "je_number": {"type": "string", "minLength": 1, "maxLength": MAX_TARGET_NAME_LENGTH},
        "verdict": VERDICT_NAME,
        "comment": nullable({"type": "string", "maxLength": MAX_COMMENT_LENGTH}),
    },
    ["file_id", "verdict"],
    additionalProperties=False,
    description="names its target by exactly one of row_number, transaction_id or je_number",
)

_VERDICT_FIELDS = {
    "row_number": nullable(INTEGER),
    "je_number": nullable(STRING),
    "verdict": VERDICT_NAME,
    "comment": nullable(STRING),
    "reviewer": STRING,
    "recorded_at": TIMESTAMP,
}
_VERDICT_REQUIRED = list(_VERDICT_FIELDS)
VERDICT_COUNTS = obj({name: INTEGER for name in VERDICTS}, list(VERDICTS))

FILE_VERDICT = obj(
    {
        **_VERDICT_FIELDS,
        "transaction_id": nullable(STRING),
        "history": {
            "type": "array",
            "description": "with history=true: the target's earlier verdicts, newest first",
            "items": obj(_VERDICT_FIELDS, _VERDICT_REQUIRED),
        },
    },
    [*_VERDICT_REQUIRED, "transaction_id"],
)

SOURCE = obj(
    {
        "source": STRING,
        "files": INTEGER,
        "rows": INTEGER,
        "latest_file": nullable(
            obj(
                {"data_file_id": UUID, "file_name": STRING, "created_at": TIMESTAMP},
                ["data_file_id", "file_name", "created_at"],
            )
        ),
        "verdicts": obj(
            {**VERDICT_COUNTS["properties"], "total": INTEGER},
            [*VERDICTS, "total"],
            description="targets of the source's files by their newest verdict",
        ),
    },
    ["source", "files", "rows", "latest_file", "verdicts"],
)

MONTH_TOTAL = obj({"month": STRING, "rows": INTEGER, "total": NUMBER}, ["month", "rows", "total"])
SOURCE_MONTH = obj(
    {
        "month": STRING,
        "rows": INTEGER,
        "total": NUMBER,
        "flagged_rows": INTEGER,
        "flagged_share": nullable(NUMBER),
        "confirmed": INTEGER,
    },
    ["month", "rows", "total", "flagged_rows", "flagged_share", "confirmed"],
)

AUDIT_ENTRY = obj(
    {
        "id": INTEGER,
        "at": TIMESTAMP,
        "actor": STRING,
        "action": {"type": "string", "enum": list(AUDIT_ACTION.values)},
        "target_type": STRING,
        "target_id": nullable(STRING),
        "before": ANY_JSON,
        "after": ANY_JSON,
    },
    ["id", "at", "actor", "action", "target_type", "target_id", "before", "after"],
)

ENTRY_LINE = obj(
    {
        "row_number": INTEGER,
        "transaction_id": nullable(STRING),
        "account": nullable(STRING),
        "account_name": nullable(STRING),
        "user": nullable(STRING),
        "vendor": nullable(STRING),
        "invoice_number": nullable(STRING),
        "description": nullable(STRING),
        "amount": nullable(NUMBER),
        "debit": nullable(NUMBER),
        "credit": nullable(NUMBER),
        "risk_score": nullable(NUMBER),
        "rule_codes": {"type": "array", "items": STRING, "description": "the codes of the findings on this line"},
    },
    ["row_number", "amount", "debit", "credit", "risk_score", "rule_codes"],
)

FLAGGED_ENTRY = obj(
    {
        "je_number": STRING,
        "risk_score": {
            "type": "number",
            "minimum": 0,
            "maximum": 100,
            "description": "percentile among the file's entries",
        },
        "line_count": INTEGER,
        "first_row_number": INTEGER,
        "posting_date": nullable(TIMESTAMP),
        "debit_total": NUMBER,
        "credit_total": NUMBER,
        "rule_codes": {
            "type": "array",
            "items": STRING,
            "description": "codes of the findings it takes part in (a duplicate's earlier entry too), strongest first",
        },
        "reasons": {"type": "array", "items": STRING, "description": "reason codes, strongest first"},
        "reason_text": STRING,
        "lines": {
            "type": "array",
            "items": ref("EntryLine"),
            "description": "its lines in file order (of a very long entry, its riskiest lines)",
        },
        "verdict": nullable(ref("VerdictOfRow")),
    },
    [
        "je_number",
        "risk_score",
        "line_count",
        "debit_total",
        "credit_total",
        "rule_codes",
        "reasons",
        "lines",
        "verdict",
    ],
)

MAPPABLE: dict[str, Any] = {"type": "string", "enum": list(canonical.MAPPABLE)}
STRINGS: dict[str, Any] = {"type": "array", "items": STRING}

PREVIEW_COLUMN = obj(
    {
        "canonical": MAPPABLE,
        "column": {"type": "string", "description": "the source column (header) that feeds it"},
        "confidence": {"type": "number", "description": "0-1; 1 for a column the mapping names"},
        "decided_by": {"type": "string", "enum": [BY_USER, BY_HEADER, BY_CONTENT]},
        "runner_up": nullable(obj({"column": STRING, "confidence": NUMBER}, ["column", "confidence"])),
        "samples": {
            "type": "array",
            "items": {},
            "description": "the first values as ingest would store them: dates as ISO text, amounts as numbers",
        },
    },
    ["canonical", "column", "confidence", "decided_by", "runner_up", "samples"],
)

PREVIEW = {
    "file_name": STRING,
    "file_format": STRING,
    "compression": nullable(STRING),
    "encoding": nullable(STRING),
    "delimiter": nullable(STRING),
    "sheet_name": nullable(STRING),
    "header_row": {"type": "integer", "description": "1-based row of the header in the file or sheet"},
    "date_format": nullable(STRING),
    "rows_sampled": {"type": "integer", "description": "data rows looked at (the head of the file)"},
    "headers": STRINGS,
    "mappable_columns": {"type": "array", "items": MAPPABLE, "description": "the names a mapping may use"},
    "columns": {"type": "array", "items": ref("PreviewColumn"), "description": "one per mapped canonical column"},
    "unmapped_columns": STRINGS,
    "missing": {"type": "array", "items": {"type": "string", "enum": list(canonical.REQUIRED)}},
    "problem": nullable(
        {"type": "string", "description": "why the file cannot be loaded as it is, and a mapping to try"}
    ),
    "warnings": STRINGS,
    "notes": STRINGS,
}

_PAGE = {"total": INTEGER, "limit": INTEGER, "offset": INTEGER}

SCHEMAS: dict[str, Any] = {
    "DataFile": DATA_FILE,
    "Job": JOB,
    "AnalyticsSummary": ANALYTICS_SUMMARY,
    "AnalyticsResult": ANALYTICS_RESULT,
    "MlSummary": ML_SUMMARY,
    "MlResult": ML_RESULT,
    "Progress": PROGRESS,
    "ProcessingResultsResponse": success({"processing_summary": PROCESSING_SUMMARY}),
    "AnalyticsResultsResponse": success(
        {"file_id": UUID, "job_id": UUID, "results": {"type": "array", "items": ref("AnalyticsResult")}}
    ),
    "MlResultsResponse": success(
        {"file_id": UUID, "job_id": UUID, "results": {"type": "array", "items": ref("MlResult")}}
    ),
    "ProgressResponse": success({"progress": ref("Progress")}),
    "UploadResponse": success({"data_file_id": UUID, "job_id": UUID, "file_name": STRING}),
    "PreviewColumn": PREVIEW_COLUMN,
    "PreviewResponse": success(PREVIEW),
    "FilesResponse": success({**_PAGE, "files": {"type": "array", "items": FILE_ITEM}}),
    "FlaggedTransactionsResponse": success(
        {"file_id": UUID, "job_id": UUID, **_PAGE, "transactions": {"type": "array", "items": FLAGGED_TRANSACTION}}
    ),
    "VerdictOfRow": VERDICT_OF_ROW,
    "VerdictRequest": VERDICT_REQUEST,
    "VerdictsRequest": {
        "oneOf": [
            ref("VerdictRequest"),
            {"type": "array", "minItems": 1, "maxItems": MAX_ITEMS, "items": ref("VerdictRequest")},
        ]
    },
    "RecordedVerdictsResponse": success(
        {
            "recorded": INTEGER,
            "verdicts": {
                "type": "array",
                "items": {"allOf": [obj(_VERDICT_FIELDS, _VERDICT_REQUIRED), obj({"file_id": UUID}, ["file_id"])]},
            },
        }
    ),
    "FileVerdictsResponse": success(
        {"file_id": UUID, "counts": VERDICT_COUNTS, **_PAGE, "verdicts": {"type": "array", "items": FILE_VERDICT}}
    ),
    "FileDeletedResponse": success(
        {
            "data_file_id": UUID,
            "file_name": STRING,
            "jobs_deleted": {"type": "integer"},
            "verdicts_deleted": {"type": "integer"},
            "partition_removed": {"type": "boolean"},
            "archive_removed": {"type": "boolean", "description": "false when another file refers to the same bytes"},
        }
    ),
    "SourcesResponse": success({"sources": {"type": "array", "items": SOURCE}}),
    "AuditLogResponse": success({**_PAGE, "entries": {"type": "array", "items": AUDIT_ENTRY}}),
    "EntryLine": ENTRY_LINE,
    "FlaggedEntriesResponse": success(
        {
            "file_id": UUID,
            "job_id": UUID,
            **_PAGE,
            "note": nullable(
                {"type": "string", "description": "why the job has no entries, e.g. a file without je_number"}
            ),
            "entries": {"type": "array", "items": FLAGGED_ENTRY},
        }
    ),
    "SampleResponse": success(
        {
            "sample": obj(
                {
                    "data_file_id": UUID,
                    "parameters": {"type": "object"},
                    "population": {"type": "object"},
                    "top_stratum": {"type": "object"},
                    "sampled_remainder": {"type": "object"},
                    "sample_size": INTEGER,
                    "items": {"type": "array", "items": {"type": "object"}},
                    "reperform": STRING,
                },
                ["data_file_id", "parameters", "population", "sample_size", "items", "reperform"],
            )
        }
    ),
    "FileComparisonResponse": success(
        {
            "file_id": UUID,
            "job_id": UUID,
            "source": STRING,
            "status": nullable(STRING),
            "note": nullable(STRING),
            "summary": {"type": "object"},
            "comparison": nullable(
                obj(
                    {
                        "source": STRING,
                        "earlier_files": {"type": "array", "items": {"type": "object"}},
                        "new_vendors": {"type": "array", "items": {"type": "object"}},
                        "reactivated_vendors": {"type": "array", "items": {"type": "object"}},
                        "spend_changes": {"type": "array", "items": {"type": "object"}},
                        "cross_file_duplicates": {"type": "array", "items": {"type": "object"}},
                    },
                    ["source", "earlier_files"],
                    description="the period_comparison result's risk_assessment section",
                )
            ),
            "months": nullable(
                obj(
                    {
                        "file_months": {"type": "array", "items": MONTH_TOTAL},
                        "earlier_months": {"type": "array", "items": MONTH_TOTAL},
                    },
                    ["file_months", "earlier_months"],
                )
            ),
        }
    ),
    "SourceTrendsResponse": success(
        {
            "source": STRING,
            "months": {"type": "array", "items": SOURCE_MONTH},
            "files": {
                "type": "array",
                "items": obj(
                    {
                        "data_file_id": UUID,
                        "file_name": STRING,
                        "period_start": TIMESTAMP,
                        "period_end": TIMESTAMP,
                        "rows": INTEGER,
                    },
                    ["data_file_id", "file_name", "period_start", "period_end", "rows"],
                ),
            },
        }
    ),
    "ReviewQueueResponse": success(
        {
            "file_id": UUID,
            "job_id": UUID,
            "unit": {"type": "string", "enum": [ENTRY, TRANSACTION]},
            "counts": obj(
                {"queue": INTEGER, **{name: INTEGER for name in REVIEW_STATES}},
                ["queue", *REVIEW_STATES],
                description="the whole queue: its size, reviewed or not, and by the verdict that counts",
            ),
            **_PAGE,
            "review": nullable({"type": "string", "enum": list(REVIEW_STATES)}),
            "note": nullable({"type": "string", "description": "why a file with entry numbers has no entries"}),
            "reviewer": obj({"name": STRING, "role": STRING}, ["name", "role"]),
            "may_record": BOOLEAN,
            "record_refusal": nullable({"type": "string", "description": "why the caller may not record verdicts"}),
            "items": {
                "type": "array",
                "items": {"anyOf": [FLAGGED_ENTRY, FLAGGED_TRANSACTION]},
                "description": "entries (unit entry) or transactions (unit transaction), highest risk first",
            },
        }
    ),
    "HealthResponse": success({"status": {"type": "string", "enum": ["ok"]}}),
    "PingResponse": success({"ping": {"type": "string", "enum": ["pong"]}}),
}


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def _choice(parameter: Choice, description: str) -> dict[str, Any]:
    """An enumerated parameter, its values and default as ``params`` accepts them."""
    schema: dict[str, Any] = {"type": "string", "enum": list(parameter.values)}
    if parameter.default is not None:
        schema["default"] = parameter.default
    return _query(parameter.name, schema, description, required=parameter.required)


def _bounded(minimum: int, maximum: int, default: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": minimum, "maximum": maximum, "default": default}


# Shared parameters, named by ``$ref: "#/components/parameters/<name>"`` in the route docstrings.
PARAMETERS: dict[str, Any] = {
    "FileId": _query("file_id", UUID, "The data file (data_file_id of the upload or listing).", required=True),
    "JobIdOfFile": _query(
        "job_id", UUID, "A processing job of this file; default: its newest COMPLETED job, else its newest job."
    ),
    "Limit": _query("limit", _bounded(1, MAX_LIMIT, DEFAULT_LIMIT), f"Page size (at most {MAX_LIMIT})."),
    "Offset": _query("offset", _bounded(0, MAX_OFFSET, 0), "Items to skip (paging)."),
    "MinRisk": _query(
        "min_risk",
        {"type": "number", "minimum": RISK_SCORE_RANGE[0], "maximum": RISK_SCORE_RANGE[1]},
        "Only transactions whose ensemble risk score ({:g}-{:g}) is at least this.".format(*RISK_SCORE_RANGE),
    ),
    "RuleCode": _query(
        "rule", {"type": "string", "maxLength": MAX_RULE_CODE_LENGTH}, "Only transactions flagged by this rule code."
    ),
    "MinEntryRisk": _query(
        "min_risk",
        {"type": "number", "minimum": RISK_SCORE_RANGE[0], "maximum": RISK_SCORE_RANGE[1]},
        "Only entries whose risk score ({:g}-{:g}) is at least this.".format(*RISK_SCORE_RANGE),
    ),
    "EntryRuleCode": _query(
        "rule",
        {"type": "string", "maxLength": MAX_RULE_CODE_LENGTH},
        "Only entries taking part in a finding of this rule code.",
    ),
    "AnalyticsType": _choice(ANALYTICS_TYPE, "One analytics stage, or all of them."),
    "ModelType": _choice(MODEL_TYPE, "One model, or all of them."),
    "LatestJobStatus": _choice(LATEST_JOB_STATUS, "Only files whose latest job has this status."),
    "ExportKind": _choice(
        EXPORT_KIND,
        "Per-transaction risk scores (highest first), every finding, duplicate groups, "
        "the trial balance per account, or per-entry risk scores (highest first; none without je_number).",
    ),
    "Verdict": _choice(VERDICT, "Only targets whose newest verdict is this."),
    "ReviewState": _choice(
        REVIEW_STATE, "Only items without a verdict, with one, or whose verdict that counts is this one."
    ),
    "History": _query(
        "history",
        {"type": "string", "enum": ["true", "false", "1", "0"], "default": "false"},
        "Also each target's earlier verdicts, newest first.",
    ),
    "Source": _query(
        "source",
        {"type": "string", "maxLength": MAX_SOURCE_LENGTH, "pattern": "^[a-z0-9][a-z0-9_-]*$"},
        "Only files of this source.",
    ),
    "SourceName": _query(
        "source",
        {"type": "string", "maxLength": MAX_SOURCE_LENGTH, "pattern": "^[a-z0-9][a-z0-9_-]*$"},
        "The source (see /api/sources/).",
        required=True,
    ),
    "FileSearch": _query(
        "search",
        {"type": "string", "maxLength": MAX_SEARCH_LENGTH},
        "Only files whose name or source contains this text (any case).",
    ),
    "AuditAction": _choice(AUDIT_ACTION, "Only entries of this action."),
    "Actor": _query("actor", {"type": "string", "maxLength": MAX_NAME_LENGTH}, "Only entries of this actor."),
    "Since": _query("since", STRING, "Only entries at or after this ISO 8601 time (UTC unless it has an offset)."),
    "ReportFormat": _choice(
        REPORT_FORMAT,
        "xlsx: the audit workpaper (summary, findings by rule, flagged items, duplicate groups, trial balance); "
        "pdf: the printable report (summary, charts, top findings with their reasons).",
    ),
    "SampleSize": _query(
        "size",
        {"type": "integer", "minimum": 1, "maximum": MAX_SAMPLE_SIZE},
        "Sample size n (or confidence and tolerable).",
    ),
    "Confidence": _query(
        "confidence",
        {"type": "number", "minimum": 0, "maximum": 1},
        "Confidence level such as 0.95, above 0 and below 1, with tolerable (instead of size).",
    ),
    "Tolerable": _query(
        "tolerable", {"type": "number", "minimum": 0.01, "maximum": 1e15}, "Tolerable misstatement, with confidence."
    ),
    "Seed": _query(
        "seed", {"type": "integer", "minimum": 0, "maximum": MAX_SEED, "default": 0}, "Seed of the random start."
    ),
    "ExportFormat": _choice(
        EXPORT_FORMAT,
        f"CSV streams any size; xlsx is refused (400) above {XLSX_MAX_DATA_ROWS:,} rows, the sheet limit.",
    ),
}

"""The database tables, as SQLAlchemy Core metadata.

The migrations under ``sql/migrations`` create exactly these tables (a test compares the two). The
three result tables and their columns are the seed design's; ``data_files`` and
``file_processing_jobs`` are the tables it references; the rest hold per-row data: normalized
transactions, rejected rows, per-transaction findings and risk scores; and the review workflow's
users, append-only audit log and verdicts.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects import postgresql

from fintrace_pipeline.roles import ROLES
from fintrace_pipeline.sources import DEFAULT_SOURCE, MAX_SOURCE_LENGTH
from fintrace_pipeline.verdicts import VERDICTS

# Risk scores at or above this percentile are indexed for highest-risk-first reads.
TOP_RISK_FLOOR = 90

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# JSONB on PostgreSQL, JSON (text) elsewhere.
Json = JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
Money = Numeric(20, 2, asdecimal=False)
Timestamp = DateTime(timezone=False)


def _timestamps() -> list[Column]:
    return [Column("created_at", Timestamp, nullable=False), Column("updated_at", Timestamp, nullable=False)]


def _file_fk(primary_key: bool = False) -> Column:
    return Column(
        "data_file_id",
        Uuid,
        ForeignKey("data_files.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def _job_fk(primary_key: bool = False) -> Column:
    return Column(
        "processing_job_id",
        Uuid,
        ForeignKey("file_processing_jobs.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


data_files = Table(
    "data_files",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("file_name", String(255), nullable=False),
    Column("stored_path", Text),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size_bytes", BigInteger, nullable=False),
    Column("received_via", String(20), nullable=False),  # inbox | upload | cli
    # The company, ledger or card programme the file belongs to; fixed when the file is registered.
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False, server_default=DEFAULT_SOURCE),
    Column("file_format", String(10)),
    Column("compression", String(10)),
    Column("encoding", String(20)),
    Column("delimiter", String(4)),
    Column("sheet_name", String(255)),
    Column("header_row", Integer),
    Column("date_format", String(20)),
    Column("user_mapping", Json),
    Column("column_mapping", Json),
    Column("ingest_notes", Json),
    Column("rows_read", Integer),
    Column("rows_loaded", Integer),
    Column("rows_rejected", Integer),
    Column("country", String(10)),  # ISO 3166 code (or code-subdivision) of the calendar it is judged by
    Column("analysis_options", Json),  # per-file overrides of the configured thresholds
    *_timestamps(),
    # Migration 0005: per canonical column the source column, confidence, decider and close runner-up;
    # the source columns nothing reads; what a person should check; rejected rows per reason.
    Column("mapping_details", Json),
    Column("unmapped_columns", Json),
    Column("ingest_warnings", Json),
    Column("rejection_reasons", Json),
    # The file list's order, newest first with id breaking ties (migration 0011).
    Index(None, "created_at", "id"),
    Index(None, "source", "created_at", "id"),
)

file_processing_jobs = Table(
    "file_processing_jobs",
    metadata,
    Column("id", Uuid, primary_key=True),
    _file_fk(),
    Column("dagster_run_id", String(64)),
    Column("trigger", String(20), nullable=False),  # inbox | upload | cli | dagster | backfill
    Column("status", String(20), nullable=False),  # PENDING RUNNING COMPLETED FAILED CANCELED
    Column("error_message", Text),
    *_timestamps(),
    Column("started_at", Timestamp),
    Column("completed_at", Timestamp),
    Index(None, "data_file_id", "created_at"),
    Index(None, "status"),
    Index(None, "created_at"),
    Index(None, "dagster_run_id"),
)

ml_model_processing_results = Table(
    "ml_model_processing_results",
    metadata,
    Column("id", Uuid, primary_key=True),
    _file_fk(),
    _job_fk(),
    Column("model_type", String(50), nullable=False),
    Column("processing_status", String(20), nullable=False),
    Column("anomalies_detected", Integer),
    Column("duplicates_found", Integer),
    Column("risk_score", Float),
    Column("confidence_score", Float),
    Column("detailed_results", Json),
    Column("model_metrics", Json),
    Column("feature_importance", Json),
    Column("processing_duration", Float),
    Column("data_size", Integer),
    Column("model_version", String(20)),
    Column("error_message", Text),
    *_timestamps(),
    Column("processed_at", Timestamp),
    Index(None, "processing_job_id", "model_type", unique=True),
    Index(None, "data_file_id", "model_type"),
    Index(None, "processing_status"),
    Index(None, "created_at"),
)

analytics_processing_results = Table(
    "analytics_processing_results",
    metadata,
    Column("id", Uuid, primary_key=True),
    _file_fk(),
    _job_fk(),
    Column("analytics_type", String(50), nullable=False),
    Column("processing_status", String(20), nullable=False),
    Column("total_transactions", Integer),
    Column("total_amount", Money),
    Column("unique_users", Integer),
    Column("unique_accounts", Integer),
    Column("flagged_transactions", Integer),
    Column("high_risk_transactions", Integer),
    Column("anomalies_found", Integer),
    Column("duplicates_found", Integer),
    Column("trial_balance_data", Json),
    Column("expense_breakdown", Json),
    Column("user_patterns", Json),
    Column("account_patterns", Json),
    Column("temporal_patterns", Json),
    Column("risk_assessment", Json),
    Column("chart_data", Json),
    Column("export_data", Json),
    Column("parameters", Json),
    Column("skipped_checks", Json),
    Column("processing_duration", Float),
    Column("analysis_version", String(20)),
    Column("error_message", Text),
    *_timestamps(),
    Column("processed_at", Timestamp),
    Index(None, "processing_job_id", "analytics_type", unique=True),
    Index(None, "data_file_id", "analytics_type"),
    Index(None, "processing_status"),
    Index(None, "created_at"),
)

processing_job_trackers = Table(
    "processing_job_trackers",
    metadata,
    Column("id", Uuid, primary_key=True),
    _job_fk(),
    _file_fk(),
    Column("total_steps", Integer, nullable=False),
    Column("completed_steps", Integer, nullable=False),
    Column("current_step", String(100)),
    Column("file_processing_status", String(20), nullable=False),
    Column("analytics_status", String(20), nullable=False),
    Column("ml_processing_status", String(20), nullable=False),
    Column("anomaly_detection_status", String(20), nullable=False),
    Column("overall_progress", Float, nullable=False),
    Column("file_processing_progress", Float, nullable=False),
    Column("analytics_progress", Float, nullable=False),
    Column("ml_progress", Float, nullable=False),
    Column("anomaly_progress", Float, nullable=False),
    Column("step_details", Json),
    Column("error_log", Json),
    Column("total_processing_time", Float),
    Column("memory_usage_mb", Float),
    Column("cpu_usage_percent", Float),
    *_timestamps(),
    Column("started_at", Timestamp),
    Column("completed_at", Timestamp),
    Index(None, "processing_job_id", unique=True),
    Index(None, "data_file_id"),
    Index(None, "created_at"),
)

# Per-row data. The user column is ``user_name`` here: ``user`` is reserved in PostgreSQL.
transactions = Table(
    "transactions",
    metadata,
    # A file's rows; triggers, not a foreign key, tie them to data_files (migration 0003).
    Column("data_file_id", Uuid, primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("posting_date", Timestamp, nullable=False),
    Column("entry_date", Timestamp),
    Column("document_date", Timestamp),  # the invoice or document date (migration 0012)
    Column("amount", Money, nullable=False),
    Column("transaction_id", Text),
    Column("je_number", Text),
    Column("account", Text),
    Column("account_name", Text),
    Column("user_name", Text),
    Column("approver", Text),
    Column("vendor", Text),
    Column("invoice_number", Text),
    Column("description", Text),
    Column("cost_center", Text),
    Column("currency", Text),
    Column("source", Text),
    Column("label", Integer),
)

rejected_rows = Table(
    "rejected_rows",
    metadata,
    _file_fk(primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("raw_values", Json, nullable=False),
    Column("reason", Text, nullable=False),
)

transaction_flags = Table(
    "transaction_flags",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    _file_fk(),
    _job_fk(),
    Column("analytics_type", String(50), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("rule_code", String(50), nullable=False),
    Column("severity", String(10), nullable=False),
    Column("reason", Text, nullable=False),
    Column("details", Json),
    Column("group_id", String(64)),
    Index(None, "processing_job_id", "row_number"),
    Index(None, "processing_job_id", "rule_code"),
    Index(None, "processing_job_id", "analytics_type"),
)

transaction_scores = Table(
    "transaction_scores",
    metadata,
    # A job's scores; triggers, not a foreign key, tie them to file_processing_jobs (migration 0003).
    Column("processing_job_id", Uuid, primary_key=True),
    Column("row_number", Integer, primary_key=True),
    # The job's file, for reading without a join; the job already ties the scores to it.
    Column("data_file_id", Uuid, nullable=False),
    Column("transaction_id", Text),
    Column("risk_score", Float, nullable=False),
    Column("isolation_forest_score", Float),
    Column("random_forest_score", Float),
    Column("dbscan_score", Float),
    Column("rule_score", Float),
    Column("reasons", Text),
    Column("reason_text", Text),
    # Highest risk first: risk scores are percentiles of their file, so this covers the top tenth
    # of each job's rows (every high-risk row among them) at a fraction of a full index's cost.
    Index(
        "ix_transaction_scores_top_risk",
        "processing_job_id",
        "risk_score",
        postgresql_where=text(f"risk_score >= {TOP_RISK_FLOOR}"),
        sqlite_where=text(f"risk_score >= {TOP_RISK_FLOOR}"),
    ),
)

entry_scores = Table(
    "entry_scores",
    metadata,
    # One row per journal entry of a job: the unit an auditor reviews in a general-ledger export.
    _job_fk(primary_key=True),
    Column("je_number", Text, primary_key=True),
    _file_fk(),
    Column("line_count", Integer, nullable=False),
    Column("first_row_number", Integer, nullable=False),
    Column("posting_date", Timestamp),
    Column("debit_total", Float, nullable=False),
    Column("credit_total", Float, nullable=False),
    Column("risk_score", Float, nullable=False),  # 0-100, the entry's percentile among the file's entries
    Column("rule_codes", Text),  # semicolon-separated rule codes found on its lines
    Column("reasons", Text),  # semicolon-separated reason codes, strongest first
    Column("reason_text", Text),
    Index("ix_entry_scores_risk", "processing_job_id", "risk_score"),
)


def _one_of(table: str, column: str, values: tuple[str, ...]) -> CheckConstraint:
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=f"ck_{table}_{column}")


# -- the review workflow ------------------------------------------------------------------------

MAX_NAME_LENGTH = 64

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(MAX_NAME_LENGTH), nullable=False, unique=True),
    Column("role", String(20), nullable=False),
    # HMAC-SHA256 of the token under the server key: a request's token is found by one indexed lookup.
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
    _one_of("users", "role", ROLES),
)

# Append-only: triggers refuse every UPDATE and DELETE (migration 0007). No foreign keys, so that
# deleting what a row is about never touches the row.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("at", Timestamp, nullable=False),
    Column("actor", String(MAX_NAME_LENGTH), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target_type", String(20), nullable=False),
    Column("target_id", Text),
    Column("before", Json),
    Column("after", Json),
    Index(None, "at"),
    Index(None, "action", "at"),
    Index(None, "actor", "at"),
)

# Every verdict ever recorded; the newest per target (the last recorded: highest id) is the one that counts.
verdicts = Table(
    "verdicts",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    _file_fk(),
    # The file's source, kept with the verdict: a learner reads a source's verdicts up to a time.
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False),
    # The target: a transaction by its row number, or a journal entry by its number.
    Column("row_number", Integer),
    Column("je_number", Text),
    Column("verdict", String(20), nullable=False),
    Column("comment", Text),
    Column("reviewer", String(MAX_NAME_LENGTH), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    CheckConstraint("(row_number IS NULL) <> (je_number IS NULL)", name="ck_verdicts_one_target"),
    _one_of("verdicts", "verdict", VERDICTS),
    Index("ix_verdicts_target", "data_file_id", "row_number", "je_number", "id"),
    Index("ix_verdicts_source_recorded_at", "source", "recorded_at"),
    # A learner's history reads only the targets ever confirmed, a small share of a reviewed source.
    Index("ix_verdicts_source_verdict", "source", "verdict", "data_file_id", "row_number"),
)


# -- history across files (migration 0009) -------------------------------------------------------
# Each file's own share of its source's history, replaced whole when the file is processed again; a
# file is compared with the shares of the files whose data starts before its own.

history_files = Table(
    "history_files",
    metadata,
    _file_fk(primary_key=True),
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False),
    Column("period_start", Timestamp, nullable=False),  # the file's first and last posting date
    Column("period_end", Timestamp, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Index(None, "source", "period_start"),
)

# Per file, entity (vendor, user, account, user_account, vendor_account, total) and month.
history_monthly = Table(
    "history_monthly",
    metadata,
    _file_fk(primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("month", String(7), primary_key=True),  # YYYY-MM
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("total", Money, nullable=False),  # gross: the sum of the lines' absolute amounts
    Column("first_date", Timestamp, nullable=False),
    Column("last_date", Timestamp, nullable=False),
    Index(None, "source", "kind", "key"),
)

# Per file, one row per vendor line and match kind: "invoice" (vendor|invoice) and "amount" (vendor|cents).
history_documents = Table(
    "history_documents",
    metadata,
    _file_fk(primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("row_number", Integer, primary_key=True),
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False),
    Column("match_key", Text, nullable=False),
    Column("posting_date", Timestamp, nullable=False),
    Column("amount", Money, nullable=False),
    Column("invoice", Text),
    Index(None, "source", "kind", "match_key"),
)

# -- reference lists ----------------------------------------------------------------------------

REFERENCE_KINDS = ("vendor_master", "employees")

# Every uploaded version of a source's vendor master or employee list; the newest is the one used.
reference_lists = Table(
    "reference_lists",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("version", Integer, nullable=False),  # 1, 2, ... per source and kind
    Column("file_name", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("uploaded_at", Timestamp, nullable=False),
    Column("uploaded_by", String(MAX_NAME_LENGTH)),
    Column("rows", Integer, nullable=False),  # entries stored
    Column("rows_rejected", Integer, nullable=False),  # rows that could not be read
    Column("column_mapping", Json, nullable=False),  # reference column -> source header
    Column("notes", Json),  # how the file was read, what to check, the rows not read
    _one_of("reference_lists", "kind", REFERENCE_KINDS),
    UniqueConstraint("source", "kind", "version"),
)

# The entries of a list version, each compared field beside its normalised form.
reference_entries = Table(
    "reference_entries",
    metadata,
    Column("reference_list_id", Uuid, ForeignKey("reference_lists.id", ondelete="CASCADE"), primary_key=True),
    Column("row_number", Integer, primary_key=True),  # the 1-based data row of the list's file
    Column("name", Text),
    Column("name_normalized", Text),
    Column("external_id", Text),  # the list's own number for the vendor or employee
    Column("address", Text),
    Column("address_normalized", Text),
    Column("bank_account", Text),
    Column("bank_account_normalized", Text),
    Column("tax_id", Text),
    Column("tax_id_normalized", Text),
    Column("added_date", Date),
)

# One row per trained version of a source's risk model (migration 0008); the fitted model is a file
# under the results' var/ folder (``model_path``, relative to it).
risk_models = Table(
    "risk_models",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("source", String(MAX_SOURCE_LENGTH), nullable=False),
    Column("version", Integer, nullable=False),
    Column("trained_at", Timestamp, nullable=False),
    # The newest verdict the model learned from: a newer one means the model is out of date.
    Column("verdicts_until", Timestamp, nullable=False),
    Column("training_rows", Integer, nullable=False),
    Column("positives", Integer, nullable=False),
    Column("average_precision", Float),
    Column("precision_at_k", Float),
    Column("metrics", Json),
    Column("feature_importance", Json),
    Column("features", Json, nullable=False),
    Column("model_path", Text, nullable=False),
    Index("uq_risk_models_source_version", "source", "version", unique=True),
)

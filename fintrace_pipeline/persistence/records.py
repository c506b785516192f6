"""Plain records for rows the pipeline passes around (a data file, a processing job)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DataFile:
    id: uuid.UUID
    file_name: str
    stored_path: str | None
    sha256: str
    size_bytes: int
    received_via: str  # inbox | upload | cli
    source: str  # the company, ledger or card programme it belongs to
    user_mapping: dict[str, str] | None
    column_mapping: dict[str, str] | None
    rows_read: int | None
    rows_loaded: int | None
    rows_rejected: int | None
    created_at: datetime
    country: str | None = None  # the calendar it is judged by; None: the configured default
    analysis_options: dict[str, Any] | None = None  # per-file threshold overrides, by option name

    @classmethod
    def from_row(cls, row: Any) -> DataFile:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})


@dataclass(frozen=True)
class ProcessingJob:
    id: uuid.UUID
    data_file_id: uuid.UUID
    dagster_run_id: str | None
    trigger: str
    status: str
    error_message: str | None
    created_at: datetime
    started_at: datetime | None
    completed_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> ProcessingJob:
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

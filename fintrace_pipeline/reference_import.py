"""Adding a reference list to a source: read the file with the ingest machinery, normalise its
entries, store them as the list's next version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from fintrace_pipeline.analytics.references.lists import normalized_entries
from fintrace_pipeline.ingest.reference_lists import read_reference_list
from fintrace_pipeline.persistence.files import sha256_of
from fintrace_pipeline.persistence.references import store_reference_list
from fintrace_pipeline.settings import Settings
from fintrace_pipeline.sources import validate_source


def add_reference_list(
    engine: Engine,
    settings: Settings,
    path: Path,
    *,
    kind: str,
    source: str,
    file_name: str | None = None,
    user_mapping: dict[str, str] | None = None,
    uploaded_by: str | None = None,
) -> dict[str, Any]:
    """The stored version (id, version, rows, mapping ...) with how the file was read. Raises
    IngestError for a file that cannot be read and InvalidSource for a bad source name."""
    validate_source(source)
    read = read_reference_list(
        Path(path),
        kind,
        user_mapping=user_mapping,
        max_decompressed_bytes=settings.max_decompressed_bytes,
        max_rows=settings.max_rows,
        missing_values=settings.missing_values,
    )
    notes = {"read": read.notes, "warnings": read.warnings, "rejected": read.rejected}
    stored = store_reference_list(
        engine,
        source=source,
        kind=kind,
        file_name=file_name or Path(path).name,
        sha256=sha256_of(Path(path)),
        entries=normalized_entries(read.entries),
        column_mapping=read.column_mapping,
        rows_rejected=len(read.rejected),
        notes=notes,
        uploaded_by=uploaded_by,
    )
    return {**stored, "notes": read.notes, "warnings": read.warnings}

"""The first per-file asset: the archived original becomes stored, fully accounted-for transactions."""

from pathlib import Path

from dagster import MetadataValue

from fintrace_pipeline.db.transactions import as_loaded, replace_transactions
from fintrace_pipeline.defs.checks import CHECKS
from fintrace_pipeline.defs.loading import canonical_columns
from fintrace_pipeline.defs.metadata import markdown_table
from fintrace_pipeline.defs.step import StepContext, StepFailed, StepOutput, stage_asset
from fintrace_pipeline.findings import COMPLETED
from fintrace_pipeline.ingest import EveryRowRejected, IngestError, IngestResult, ingest_file
from fintrace_pipeline.persistence.files import record_ingest
from fintrace_pipeline.persistence.snapshots import remove_snapshot, write_snapshot
from fintrace_pipeline.persistence.verdicts import import_labels
from fintrace_pipeline.stages import STAGE_BY_NAME
from fintrace_pipeline.verdicts import IMPORT_REVIEWER


def ingest_step(step: StepContext) -> StepOutput:
    settings = step.settings
    data_file = step.data_file
    path = Path(data_file.stored_path or "")
    if not path.is_file():
        raise StepFailed(f"{data_file.file_name}: the archived original {path} is missing.")
    try:
        result = ingest_file(
            path,
            user_mapping=data_file.user_mapping,
            max_decompressed_bytes=settings.max_decompressed_bytes,
            max_rows=settings.max_rows,
            missing_values=settings.missing_values,
            country=data_file.country or settings.country,
        )
    except EveryRowRejected as exc:
        _keep_rejected(step, exc.result)
        raise StepFailed(f"{data_file.file_name}: {exc}") from None
    except IngestError as exc:
        raise StepFailed(f"{data_file.file_name}: {exc}") from None
    remove_snapshot(settings.shared_root, data_file.id)
    with step.engine.begin() as connection:
        replace_transactions(connection, data_file.id, result.transactions, result.rejected)
        record_ingest(connection, data_file.id, **_file_facts(result))
        # A mapped label column is the file's own verdicts, recorded as an import.
        labels = import_labels(connection, data_file, IMPORT_REVIEWER)
    loaded = as_loaded(result.transactions, canonical_columns(result.column_mapping))
    write_snapshot(settings.shared_root, data_file.id, loaded)
    details = {
        "rows_read": result.rows_read,
        "rows_loaded": len(result.transactions),
        "rows_rejected": len(result.rejected),
        "rejection_reasons": result.rejection_counts()[:MAX_REASONS_LISTED],
        "column_mapping": result.column_mapping,
        "warnings": result.warnings,
    }
    if labels:
        details["verdicts_from_labels"] = labels
    check = CHECKS["rejected_rows_share"].result((result.rows_read, len(result.rejected)))
    return StepOutput(COMPLETED, details, _metadata(result), [check])


MAX_REASONS_LISTED = 20
KEPT_WHEN_ALL_REJECTED = 1_000  # rejected rows stored for a file no row of which could be loaded


def _keep_rejected(step: StepContext, result: IngestResult) -> None:
    """A file whose every row was rejected keeps a bounded sample of those rows, the counts per
    reason and the mapping, so the person fixing it sees which values were the problem."""
    with step.engine.begin() as connection:
        replace_transactions(
            connection, step.data_file.id, result.transactions, result.rejected.head(KEPT_WHEN_ALL_REJECTED)
        )
        record_ingest(connection, step.data_file.id, **_file_facts(result))


def _file_facts(result: IngestResult) -> dict:
    return dict(
        file_format=result.file_format,
        compression=result.compression,
        encoding=result.encoding,
        delimiter=result.delimiter,
        sheet_name=result.sheet_name,
        header_row=result.header_row,
        date_format=result.date_format,
        column_mapping=result.column_mapping,
        ingest_notes=result.notes,
        rows_read=result.rows_read,
        rows_loaded=len(result.transactions),
        rows_rejected=len(result.rejected),
        mapping_details=result.mapping_details,
        unmapped_columns=result.unmapped_columns,
        ingest_warnings=result.warnings,
        rejection_reasons=result.rejection_counts(),
    )


def _metadata(result: IngestResult) -> dict:
    reasons = result.rejected["reason"].value_counts().rename_axis("reason").reset_index(name="rows")
    return {
        "rows_read": result.rows_read,
        "rows_loaded": len(result.transactions),
        "rows_rejected": len(result.rejected),
        "column_mapping": MetadataValue.json(result.mapping_details),
        "warnings": MetadataValue.json(result.warnings),
        "rejection_reasons": markdown_table(reasons),
        "format": f"{result.file_format}{' (gzip)' if result.compression else ''}",
    }


ingest = stage_asset(STAGE_BY_NAME["ingest"], ingest_step)

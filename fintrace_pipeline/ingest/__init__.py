"""Reading ledger/payment exports (CSV, TSV, gzip, .xlsx) into the canonical transaction frame."""

from fintrace_pipeline.ingest.errors import IngestError
from fintrace_pipeline.ingest.headers import guess_column_mapping
from fintrace_pipeline.ingest.normalize import IngestResult, ingest_file

__all__ = ["IngestError", "IngestResult", "guess_column_mapping", "ingest_file"]

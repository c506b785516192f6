"""Reading ledger/payment exports (CSV, TSV, gzip, Excel, OpenDocument) into the canonical transaction frame."""

from fintrace_pipeline.ingest.errors import EveryRowRejected, IngestError
from fintrace_pipeline.ingest.mapping import guess_column_mapping, propose_mapping
from fintrace_pipeline.ingest.normalize import IngestResult, ingest_file

__all__ = ["EveryRowRejected", "IngestError", "IngestResult", "guess_column_mapping", "ingest_file", "propose_mapping"]

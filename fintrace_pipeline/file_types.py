"""The file names FinTrace reads, by extension (one list for uploads, the inbox and ingest).

Ingest decides a file's real format from its bytes (gzip, zip or OLE magic); the extension only
decides what the inbox and the upload endpoint accept.
"""

from __future__ import annotations

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt", ".gz")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, *WORKBOOK_SUFFIXES)
# Stored packed: their size on disk is a fraction of the text they hold.
COMPRESSED_SUFFIXES = (".gz", ".xlsx", ".xlsm", ".ods")

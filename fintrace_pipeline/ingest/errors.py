"""The one exception ingest raises for a file it cannot read as a whole."""

from __future__ import annotations


class IngestError(Exception):
    """A file-level problem; ``str(exc)`` is a message a person understands.

    Row-level problems never raise: those rows are returned as rejected rows with their reason.
    """

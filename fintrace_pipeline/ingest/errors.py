"""The exceptions ingest raises for a file it cannot read as a whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fintrace_pipeline.ingest.normalize import IngestResult


class IngestError(Exception):
    """A file-level problem; ``str(exc)`` is a message a person understands.

    Row-level problems never raise: those rows are returned as rejected rows with their reason.
    """


class EveryRowRejected(IngestError):
    """Every data row was rejected. ``result`` still holds the rejected rows and the mapping used,
    so they can be kept for the person who has to fix the file."""

    def __init__(self, message: str, result: IngestResult):
        super().__init__(message)
        self.result = result

"""What the reference_checks step reads beside the file: the newest reference lists of its source."""

from __future__ import annotations

from typing import Any

from fintrace_pipeline.defs.step import StepContext
from fintrace_pipeline.persistence.references import newest_reference_lists


def reference_inputs(step: StepContext) -> dict[str, Any]:
    with step.engine.connect() as connection:
        return {"references": newest_reference_lists(connection, step.data_file.source)}

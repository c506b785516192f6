"""The reference_checks stage: the file's vendors against its source's vendor master and employee list."""

from fintrace_pipeline.analytics.references.analysis import run_reference_checks
from fintrace_pipeline.analytics.references.lists import ReferenceList, ReferenceLists, normalized_entries
from fintrace_pipeline.analytics.references.options import ReferenceCheckOptions

__all__ = ["ReferenceCheckOptions", "ReferenceList", "ReferenceLists", "normalized_entries", "run_reference_checks"]

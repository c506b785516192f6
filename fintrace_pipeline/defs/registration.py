"""The job that registers the inbox's claimed files, a bounded batch per run (see ``inbox_registration``).

The inbox sensor claims complete files and requests this job while claimed files wait and no run of
it is under way; the runs it registers files for are then requested by the sensor from their PENDING
jobs. A run that stops half-way leaves the rest claimed for the next one.
"""

from dagster import Definitions, OpExecutionContext, ResourceParam, in_process_executor, job, op

from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.defs.retries import STEP_RETRY_POLICY
from fintrace_pipeline.inbox_registration import register_claimed
from fintrace_pipeline.settings import Settings

# Files per run: a run hashes and copies each, so its length follows the bytes waiting, not the tick.
FILES_PER_RUN = 500
# Queued before per-file runs (Dagster's queue starts higher priorities first): a file dropped
# while many files wait is registered, and listed by the API, without waiting for them.
PRIORITY = "10"


@op(
    retry_policy=STEP_RETRY_POLICY,
    description="Hash, archive and register claimed inbox files; give each new one a job.",
)
def register_inbox_files(
    context: OpExecutionContext, results_db: ResultsDatabase, settings: ResourceParam[Settings]
) -> None:
    done = register_claimed(results_db.get_engine(), settings, FILES_PER_RUN)
    context.log.info(done.describe())
    for name, reason in done.failed.items():
        context.log.warning(f"{name}: {reason}")


@job(
    executor_def=in_process_executor,
    tags={"dagster/priority": PRIORITY},
    description="Registers files claimed from the inbox folder (FINTRACE_INBOX), a bounded batch per run.",
)
def register_inbox():
    register_inbox_files()


defs = Definitions(jobs=[register_inbox])

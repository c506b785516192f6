"""What a person watching `fintrace up` needs to see: each run as it starts and ends, a failure with
its message, in one line each. The services' own logs (every sensor tick) go to files instead."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunRecord, RunsFilter
from sqlalchemy import Engine, select

from fintrace_pipeline.db.schema import data_files, file_processing_jobs

PARTITION_TAG = "dagster/partition"
SHOWN = {
    DagsterRunStatus.STARTED: "started",
    DagsterRunStatus.SUCCESS: "finished",
    DagsterRunStatus.FAILURE: "FAILED",
    DagsterRunStatus.CANCELED: "canceled",
}
# A run updated in the same second as the last look is looked at again; what was shown is not shown twice.
OVERLAP = timedelta(seconds=2)


class RunFeed:
    def __init__(self, instance: DagsterInstance, engine: Engine, since: datetime | None = None) -> None:
        self.instance = instance
        self.engine = engine
        self.since = since or datetime.now(UTC)
        self.shown: set[tuple[str, DagsterRunStatus]] = set()

    def lines(self) -> list[str]:
        """One line per run start or end since the last call, oldest first."""
        records = self.instance.get_run_records(
            RunsFilter(updated_after=self.since - OVERLAP), order_by="update_timestamp", ascending=True
        )
        out = []
        for record in records:
            self.since = max(self.since, record.update_timestamp)
            run = record.dagster_run
            if run.status not in SHOWN or (run.run_id, run.status) in self.shown:
                continue
            self.shown.add((run.run_id, run.status))
            out.append(self._line(record))
        return out

    def _line(self, record: RunRecord) -> str:
        run = record.dagster_run
        at = record.update_timestamp.astimezone().strftime("%H:%M:%S")
        words = [at, f"run {run.run_id[:8]}", SHOWN[run.status], run.job_name]
        subject = self._file_name(run.tags.get(PARTITION_TAG))
        if subject:
            words.append(subject)
        if run.status != DagsterRunStatus.STARTED and record.start_time and record.end_time:
            words.append(f"in {record.end_time - record.start_time:.1f} s")
        line = "  ".join(words)
        if run.status == DagsterRunStatus.FAILURE:
            line += f": {self._failure(run.run_id)}"
        return line

    def _file_name(self, partition_key: str | None) -> str | None:
        try:
            file_id = uuid.UUID(partition_key or "")
        except ValueError:
            return partition_key
        with self.engine.connect() as connection:
            name = connection.execute(select(data_files.c.file_name).where(data_files.c.id == file_id)).scalar()
        return name or partition_key

    def _failure(self, run_id: str) -> str:
        """The job's own message where the run processed a file (it says what to fix), else Dagster's."""
        with self.engine.connect() as connection:
            message = connection.execute(
                select(file_processing_jobs.c.error_message).where(file_processing_jobs.c.dagster_run_id == run_id)
            ).scalar()
        if message:
            return message
        for record in self.instance.get_records_for_run(run_id, of_type=DagsterEventType.STEP_FAILURE).records:
            error = record.event_log_entry.dagster_event.step_failure_data.error
            if error is not None:
                return error.message.strip()
        return "see the run in the Dagster UI"

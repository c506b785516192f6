"""The weekly report of each source, written to the reports folder every Monday morning.

Off unless FINTRACE_WEEKLY_REPORTS is set (or switched on in the Dagster UI); each run covers the
seven days before its scheduled time, so a late or re-run tick writes the same week again.
"""

# No ``from __future__ import annotations``: Dagster reads the op's parameter annotations at definition time.
from datetime import UTC, datetime

from dagster import (
    Config,
    DefaultScheduleStatus,
    Definitions,
    OpExecutionContext,
    ResourceParam,
    RunRequest,
    ScheduleEvaluationContext,
    job,
    op,
    schedule,
)

from fintrace_pipeline.defs.resources import ResultsDatabase
from fintrace_pipeline.reports.weekly import week_label, write_weekly_reports
from fintrace_pipeline.settings import Settings, get_settings

WEEKLY_CRON = "0 6 * * 1"  # Mondays 06:00 UTC


class WeeklyReportsConfig(Config):
    week_end: str = ""  # ISO time the week ends (exclusive); empty: now


@op(description="One workbook per source over the files that completed in the week before week_end.")
def write_weekly_source_reports(
    context: OpExecutionContext,
    config: WeeklyReportsConfig,
    results_db: ResultsDatabase,
    settings: ResourceParam[Settings],
) -> list[str]:
    end = datetime.fromisoformat(config.week_end) if config.week_end else datetime.now(UTC)
    # Completion times are stored as naive UTC.
    end = end.astimezone(UTC).replace(tzinfo=None) if end.tzinfo else end
    written = write_weekly_reports(results_db.get_engine(), settings.reports_folder, end)
    context.log.info(f"wrote {len(written)} weekly report(s) for {week_label(end)}: {[str(p) for p in written]}")
    return [str(p) for p in written]


@job(description="Writes each source's weekly report workbook into the reports folder.")
def weekly_reports():
    write_weekly_source_reports()


@schedule(
    job=weekly_reports,
    cron_schedule=WEEKLY_CRON,
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING if get_settings().weekly_reports else DefaultScheduleStatus.STOPPED,
    description="Each source's weekly report; on with FINTRACE_WEEKLY_REPORTS=1.",
)
def weekly_reports_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    end = context.scheduled_execution_time
    return RunRequest(
        run_key=f"weekly-reports-{end:%Y-%m-%d}",
        run_config={"ops": {"write_weekly_source_reports": {"config": {"week_end": end.isoformat()}}}},
        tags={"fintrace/week": week_label(end.replace(tzinfo=None))},
    )


defs = Definitions(jobs=[weekly_reports], schedules=[weekly_reports_schedule])

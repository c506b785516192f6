"""The weekly report schedule: evaluated and run through Dagster's testing APIs over a processed file."""

import dataclasses
import importlib
from datetime import UTC, datetime, timedelta

import openpyxl
from dagster import DagsterInstance, DefaultScheduleStatus, build_schedule_context

from fintrace_pipeline.defs import schedules
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.reports.weekly import week_label


def _run_for(processed, tmp_path, scheduled: datetime):
    settings, _ = processed
    settings = dataclasses.replace(settings, reports_dir=tmp_path / "reports")
    with DagsterInstance.ephemeral() as instance:
        request = schedules.weekly_reports_schedule(
            build_schedule_context(instance, scheduled_execution_time=scheduled)
        )
        result = schedules.weekly_reports.execute_in_process(
            run_config=request.run_config, resources=fintrace_resources(settings), instance=instance
        )
    assert result.success
    return request, result.output_for_node("write_weekly_source_reports")


def test_the_week_with_the_file_gets_a_workbook_of_its_source(processed, tmp_path):
    _, outcome = processed
    monday = datetime.now(UTC) + timedelta(hours=1)
    request, written = _run_for(processed, tmp_path, monday)
    assert request.run_key == f"weekly-reports-{monday:%Y-%m-%d}"
    assert written == [str(tmp_path / "reports" / "default" / f"{week_label(monday.replace(tzinfo=None))}.xlsx")]
    book = openpyxl.load_workbook(written[0])
    assert book.sheetnames == ["Files", "Findings by rule", "Top flagged"]
    files = list(book["Files"].values)
    header = files[2]
    row = dict(zip(header, files[3], strict=True))
    assert row["SHA-256"] == outcome.summary["data_file"]["sha256"]
    assert row["Rows read"] == row["Rows loaded"] + row["Rows rejected"]
    findings = list(book["Findings by rule"].values)
    column = findings[0].index("findings")
    assert sum(r[column] for r in findings[1:]) == sum(outcome.summary["flags_by_rule"].values())
    top = list(book["Top flagged"].values)
    assert top[2][:2] == ("file", "je_number") and top[3][0] == "ledger.csv"


def test_a_week_without_completed_files_writes_nothing(processed, tmp_path):
    _, written = _run_for(processed, tmp_path, datetime.now(UTC) - timedelta(days=30))
    assert written == [] and not (tmp_path / "reports").exists()


def test_the_schedule_is_off_unless_switched_on(monkeypatch):
    assert schedules.weekly_reports_schedule.default_status == DefaultScheduleStatus.STOPPED
    monkeypatch.setenv("FINTRACE_WEEKLY_REPORTS", "1")
    try:
        assert importlib.reload(schedules).weekly_reports_schedule.default_status == DefaultScheduleStatus.RUNNING
    finally:
        monkeypatch.delenv("FINTRACE_WEEKLY_REPORTS")
        importlib.reload(schedules)

"""The stage registry is the one place stages are named: assets, tracker and saver follow it."""

import uuid
from datetime import datetime

import pandas as pd
import pytest

from fintrace_pipeline import progress
from fintrace_pipeline.defs.assets import PER_FILE_ASSETS
from fintrace_pipeline.findings import AnalysisResult
from fintrace_pipeline.persistence.records import ProcessingJob
from fintrace_pipeline.persistence.saver import AnalyticsDBSaver
from fintrace_pipeline.stages import ANALYSIS_STAGES, STAGES
from fintrace_pipeline.status import COMPLETED


def test_stages_cover_progress_from_0_to_100_without_gaps():
    assert STAGES[0].start == 0 and STAGES[-1].end == 100
    for before, after in zip(STAGES, STAGES[1:], strict=False):
        assert before.end == after.start
    assert sum(s.weight for s in STAGES) == 100


def test_every_stage_is_an_asset_with_its_checks_owner_kinds_and_version():
    by_key = {a.key.to_user_string(): a for a in PER_FILE_ASSETS}
    assert list(by_key) == [s.name for s in STAGES]
    for stage in STAGES:
        asset = by_key[stage.name]
        assert {c.name for c in asset.check_specs} == set(stage.checks)
        assert asset.owners_by_key[asset.key] == ["team:fintrace"]
        assert set(asset.specs_by_key[asset.key].kinds) == set(stage.kinds)
        assert asset.code_versions_by_key[asset.key] == stage.code_version


def test_ml_stage_waits_for_the_stages_that_feed_it():
    ml = next(a for a in PER_FILE_ASSETS if a.key.to_user_string() == "ml_ensemble")
    feeding = {s.name for s in STAGES if s.feeds_ml}
    assert feeding == {"duplicate_analysis", "anomaly_detection", "history_comparison", "reference_checks"}
    assert {k.to_user_string() for k in ml.dependency_keys} == feeding


@pytest.mark.parametrize("stage", ANALYSIS_STAGES, ids=lambda s: s.name)
def test_each_analysis_stage_names_a_pure_function_that_returns_its_type(stage):
    frame = pd.DataFrame(
        {"row_number": [1, 2], "posting_date": pd.to_datetime(["2024-01-02", "2024-01-03"]), "amount": [10.0, -10.0]}
    )
    result = stage.analyse()(frame)
    assert isinstance(result, AnalysisResult)
    assert result.analytics_type == stage.analytics_type


def test_tracker_reports_a_stage_done_by_its_share_of_progress():
    details = progress.initial_step_details()
    details["ingest"]["status"] = COMPLETED
    details["default_analytics"].update(status="RUNNING", progress=50.0)
    columns = progress.tracker_columns(details)
    assert columns["overall_progress"] == 30.0
    assert columns["file_processing_progress"] == 100.0
    assert columns["current_step"] == "Default analytics"


def test_saver_refuses_a_type_no_stage_has(engine):
    job = ProcessingJob(uuid.uuid4(), uuid.uuid4(), None, "cli", "RUNNING", None, datetime.now(), None, None)
    with pytest.raises(ValueError, match="unknown analytics_type 'benford'"):
        AnalyticsDBSaver(job, engine).save_analysis("benford", AnalysisResult("benford"))


def test_a_file_option_overrides_the_configured_one_and_unknown_names_are_ignored():
    from fintrace_pipeline.analytics.file_options import options_for

    stage = next(s for s in ANALYSIS_STAGES if s.name == "anomaly_detection")
    options = options_for(
        stage.options_type(), {"business_hours_end": "19:00", "not_an_option": 1}, {"business_hours_end": "18:00"}
    )
    assert options.business_hours_end == "18:00"
    assert options_for(stage.options_type()) == stage.options_type()()

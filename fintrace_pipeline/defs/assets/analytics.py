"""The analytics stages as per-file assets, one per registered stage with an ``analytics_type``: load
the file's transactions, run the stage's pure analysis, store it through ``AnalyticsDBSaver``."""

from fintrace_pipeline.analytics.file_options import options_for
from fintrace_pipeline.defs.checks import checks_of
from fintrace_pipeline.defs.loading import load_file_transactions
from fintrace_pipeline.defs.metadata import analysis_metadata
from fintrace_pipeline.defs.step import StepContext, StepOutput, result_details, stage_asset
from fintrace_pipeline.stages import ANALYSIS_STAGES, Stage


def analytics_step(stage: Stage):
    checks = checks_of(stage)

    def body(step: StepContext) -> StepOutput:
        transactions = load_file_transactions(step)
        options = options_for(stage.options_type(), step.settings.analysis_options(), step.file_options())
        read_inputs = stage.read_inputs()
        inputs = read_inputs(step) if read_inputs else {}
        result = stage.analyse()(transactions, options, **inputs)
        step.saver().save_analysis(stage.analytics_type, result)
        checked = [c.result(result) for c in checks]
        return StepOutput(result.status, result_details(result), analysis_metadata(result), checked)

    return body


ANALYTICS_ASSETS = [
    stage_asset(stage, stage.step_body() or analytics_step(stage), deps=["ingest"]) for stage in ANALYSIS_STAGES
]

"""What a report gathers from a processed file agrees with the stored results it is read from."""

from sqlalchemy import func, select

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import entry_scores, transaction_flags
from fintrace_pipeline.reports.content import gather
from fintrace_pipeline.stages import ANALYSIS_STAGES
from fintrace_pipeline_tests.reports.conftest import ROWS


def _report(processed, **options):
    settings, outcome = processed
    with get_engine(settings.database_url).connect() as connection:
        return gather(connection, outcome.data_file_id, outcome.job_id, **options), connection


def test_the_summary_names_the_file_its_counts_and_run(processed):
    settings, outcome = processed
    report, _ = _report(processed)
    facts = dict(report.facts)
    stored = outcome.summary["data_file"]
    assert facts["SHA-256"] == stored["sha256"] and len(facts["SHA-256"]) == 64
    assert facts["Rows read"] == ROWS == facts["Rows loaded"] + facts["Rows rejected"]
    assert facts["Processing job"] == str(outcome.job_id)
    assert facts["Run time (s)"] > 0
    assert list(report.stage_results["stage"]) == [s.label for s in ANALYSIS_STAGES]
    assert set(report.stage_results["status"]) <= {"COMPLETED", "SKIPPED"}  # SKIPPED: no reference list
    # The thresholds every stage ran with, as stored with its results.
    duplicates = report.settings[report.settings["stage"] == "Duplicate analysis"]
    assert "near_date_days" in set(duplicates["option"])


def test_findings_by_rule_add_up_to_the_stored_findings(processed):
    settings, outcome = processed
    report, _ = _report(processed)
    f = transaction_flags
    with get_engine(settings.database_url).connect() as connection:
        stored = dict(
            connection.execute(
                select(f.c.rule_code, func.count())
                .where(f.c.processing_job_id == outcome.job_id)
                .group_by(f.c.rule_code)
            ).all()
        )
        entries = connection.execute(
            select(func.count()).select_from(entry_scores).where(entry_scores.c.processing_job_id == outcome.job_id)
        ).scalar_one()
    findings = report.findings.set_index("rule_code")
    assert findings["findings"].to_dict() == stored
    assert (findings["high"] + findings["medium"] + findings["low"]).to_dict() == stored
    # Highest severity first: no rule with fewer high findings comes before one with more.
    assert list(report.findings["high"]) == sorted(report.findings["high"], reverse=True)
    assert report.unit == "entry" and entries > 0


def test_flagged_entries_are_the_highest_risk_ones_with_their_reasons(processed):
    report, _ = _report(processed, top=30)
    flagged = report.flagged
    assert len(flagged) == 30
    assert list(flagged["risk_score"]) == sorted(flagged["risk_score"], reverse=True)
    assert flagged["reason_text"].str.len().gt(0).all()
    assert "verdict" in flagged.columns
    # The dashboard's charts: expenses by category, vendor and month, and Benford's first digit.
    titles = [c.title for c in report.charts]
    assert titles[:3] == ["Expenses by category", "Expenses by vendor", "Expenses by month"]
    benford = report.charts[3]
    assert benford.labels == [str(d) for d in range(1, 10)] and abs(sum(benford.expected) - 1) < 1e-3

"""Learning across files on real SQLite and PostgreSQL: a labelled file's verdicts train the source's
model before the next file is scored (train first, no daemon), the model versions are stored, the
next file is scored in history mode with reasons in words, and the risk_model asset and the
verdicts sensor through Dagster's own testing APIs."""

import uuid

import numpy as np
import pandas as pd
import pytest
from dagster import DagsterInstance, SensorResult, SkipReason, build_sensor_context, instance_for_test, materialize
from sklearn.metrics import average_precision_score
from sqlalchemy import select

from fintrace_pipeline.db.engine import get_engine
from fintrace_pipeline.db.schema import ml_model_processing_results, transaction_scores
from fintrace_pipeline.defs.assets.risk_model import risk_model
from fintrace_pipeline.defs.partitions import source_partitions
from fintrace_pipeline.defs.resources import fintrace_resources
from fintrace_pipeline.defs.sensors.verdicts import verdicts_sensor
from fintrace_pipeline.learning.training import train_source_model
from fintrace_pipeline.persistence import risk_models
from fintrace_pipeline.persistence.files import get_data_file
from fintrace_pipeline.persistence.snapshots import snapshot_path
from fintrace_pipeline.persistence.verdicts import Decision, Target, import_decisions
from fintrace_pipeline.runtime.process import process_file
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline_tests.learning import cards

SOURCE = "cards"


def _process(settings, path, labels: bool, source: str = SOURCE):
    mapping = {**cards.MAPPING, **({"label": "FRAUD"} if labels else {})}
    return process_file(path, settings, user_mapping=mapping, source=source)


def _forest_and_scores(engine, job_id):
    m, s = ml_model_processing_results, transaction_scores
    with engine.connect() as connection:
        forest = connection.execute(
            select(m).where(m.c.processing_job_id == job_id, m.c.model_type == "random_forest")
        ).one()
        ensemble = connection.execute(
            select(m.c.model_version).where(m.c.processing_job_id == job_id, m.c.model_type == "ensemble")
        ).scalar_one()
        scores = pd.DataFrame(
            connection.execute(
                select(s.c.transaction_id, s.c.risk_score, s.c.reasons, s.c.reason_text).where(
                    s.c.processing_job_id == job_id
                )
            ).all(),
            columns=["transaction_id", "risk_score", "reasons", "reason_text"],
        )
    scores["TX_ID"] = scores["transaction_id"].astype(int)
    return forest, ensemble, scores


@pytest.fixture
def labelled_then_new(fintrace_env, tmp_path):
    """Two weeks and then one week processed with their labels, then the fourth week without.

    A model learns what a terminal's confirmed frauds mean from the second file's rows, which the
    first file's verdicts describe; the first file's own rows had no verdicts known before them.
    """
    settings = get_settings()
    frame = cards.payments()
    first = _process(settings, cards.write(cards.between(frame, 0, 13), tmp_path / "weeks1-2.csv", True), True)
    _process(settings, cards.write(cards.between(frame, 14, 20), tmp_path / "week3.csv", True), True)
    week4 = cards.between(frame, 21, 27)
    second = _process(settings, cards.write(week4, tmp_path / "week4.csv", False), False)
    return settings, first, second, week4, frame


def test_the_next_file_is_scored_by_a_model_trained_first_on_the_earlier_verdicts(labelled_then_new):
    settings, first, second, week4, _ = labelled_then_new
    engine = get_engine(settings.database_url)
    with engine.connect() as connection:
        versions = risk_models.model_versions(connection, SOURCE)
        newest_verdict = risk_models.newest_verdict_at(connection, SOURCE)
    # The labelled file's own run started before its labels were stored: it had nothing to learn from.
    first_forest, first_ensemble, _ = _forest_and_scores(engine, first.job_id)
    assert first_forest.detailed_results["mode"] == "supervised" and first_ensemble == "fintrace-ml-1.0"
    # Each later file's run trained a version first, on every verdict recorded before it started:
    # version 1 on the first file's labels (before the second file), version 2 on both files' too.
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].training_rows == len(cards.between(cards.payments(), 0, 13))
    version = versions[1]
    assert version.verdicts_until == newest_verdict
    labelled = cards.between(cards.payments(), 0, 20)
    assert version.training_rows == len(labelled)
    assert version.positives == int(labelled["FRAUD"].sum())
    assert 0.0 < version.average_precision <= 1.0 and 0.0 < version.precision_at_k <= 1.0
    assert (settings.var_dir / version.model_path).is_file()
    assert str(version.model_path).startswith("models/cards/")
    assert "vendor_confirmed_7d" in version.features and "amount_vs_user" in version.features
    importance = version.feature_importance
    assert max(importance, key=importance.get).startswith("vendor_")  # the compromised terminals

    forest, ensemble, scores = _forest_and_scores(engine, second.job_id)
    assert forest.detailed_results["mode"] == "history"
    assert forest.model_version == ensemble == "history-v2"
    joined = week4.merge(scores, on="TX_ID")
    assert len(joined) == len(week4)
    # T03 is compromised only from this week on: no verdict knows it yet. T01 and T02 are known.
    assert average_precision_score(joined["FRAUD"], joined["risk_score"]) > 0.6
    known_terminals = joined["TERMINAL_ID"].isin(["T01", "T02"]) & (joined["FRAUD"] == 1)
    assert joined.loc[known_terminals, "risk_score"].min() > joined.loc[joined["FRAUD"] == 0, "risk_score"].quantile(
        0.9
    )
    top = joined.sort_values("risk_score", ascending=False).iloc[0]
    assert top["TERMINAL_ID"] in cards.COMPROMISED
    # Reasons in words, from the verdicts of the earlier file: "terminal T01 had 25 confirmed issues ..."
    assert top["reasons"].startswith("CONFIRMED_HISTORY_VENDOR")
    assert top["reason_text"].startswith(f"terminal {top['TERMINAL_ID']} had ")
    assert "confirmed issues in the last" in top["reason_text"]


def test_a_source_without_verdicts_is_scored_as_before(fintrace_env, tmp_path):
    settings = get_settings()
    week = cards.between(cards.payments(), 21, 27)
    outcome = _process(settings, cards.write(week, tmp_path / "week.csv", False), False, source="fresh")
    engine = get_engine(settings.database_url)
    forest, ensemble, scores = _forest_and_scores(engine, outcome.job_id)
    assert forest.detailed_results["mode"] == "weakly_supervised"
    assert forest.model_version == ensemble == "fintrace-ml-1.0"
    assert not scores["reasons"].fillna("").str.contains("CONFIRMED_HISTORY").any()
    with engine.connect() as connection:
        assert risk_models.newest_model(connection, "fresh") is None


def test_verdicts_recorded_later_make_the_model_stale_and_the_next_run_trains_again(labelled_then_new, tmp_path):
    settings, _, second, _, frame = labelled_then_new
    engine = get_engine(settings.database_url)
    week4 = cards.between(frame, 21, 27)
    with engine.begin() as connection:
        data_file = get_data_file(connection, second.data_file_id)
        decisions = [
            Decision(Target(row_number=i + 1), "confirmed" if fraud else "cleared")
            for i, fraud in enumerate(week4["FRAUD"])
        ]
        import_decisions(connection, data_file, decisions, "import", "test")
    third = _process(settings, cards.write(cards.between(frame, 28, 34), tmp_path / "week5.csv", False), False)
    with engine.connect() as connection:
        versions = risk_models.model_versions(connection, SOURCE)
    assert [v.version for v in versions] == [1, 2, 3]
    assert versions[2].training_rows == versions[1].training_rows + len(week4)
    forest, _, _ = _forest_and_scores(engine, third.job_id)
    assert forest.model_version == "history-v3"


def test_the_risk_model_asset_trains_a_version_with_its_metrics_as_metadata(labelled_then_new):
    settings, *_ = labelled_then_new
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(source_partitions.name, [SOURCE])
    result = materialize([risk_model], partition_key=SOURCE, instance=instance, resources=fintrace_resources(settings))
    assert result.success
    metadata = result.asset_materializations_for_node("risk_model")[0].metadata
    engine = get_engine(settings.database_url)
    with engine.connect() as connection:
        newest = risk_models.newest_model(connection, SOURCE)
    assert newest.version == 3 and metadata["version"].value == 3
    assert metadata["average_precision"].value == pytest.approx(newest.average_precision)
    assert metadata["training_rows"].value == newest.training_rows
    assert "vendor_" in metadata["feature_importance"].value


def test_the_asset_for_a_source_without_verdicts_stores_no_version(fintrace_env):
    settings = get_settings()
    instance = DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(source_partitions.name, ["empty"])
    result = materialize([risk_model], partition_key="empty", instance=instance, resources=fintrace_resources(settings))
    metadata = result.asset_materializations_for_node("risk_model")[0].metadata
    assert metadata["status"].value == "SKIPPED" and "no verdicts" in metadata["reason"].value


def test_the_sensor_asks_for_a_run_when_verdicts_are_newer_than_the_model(labelled_then_new):
    settings, _, second, week4, _ = labelled_then_new
    engine = get_engine(settings.database_url)
    with instance_for_test() as instance:
        context = build_sensor_context(instance=instance, resources=fintrace_resources(settings))
        # Version 2 was trained by the last file's run, and no verdict was recorded since.
        assert isinstance(verdicts_sensor(context), SkipReason)
        with engine.begin() as connection:
            data_file = get_data_file(connection, second.data_file_id)
            import_decisions(connection, data_file, [Decision(Target(row_number=1), "confirmed")], "import", "t")
            newest = risk_models.newest_verdict_at(connection, SOURCE)
        result = verdicts_sensor(context)
        assert isinstance(result, SensorResult)
        assert [(r.partition_key, r.run_key) for r in result.run_requests] == [
            (SOURCE, f"{SOURCE}@{newest.isoformat()}")
        ]
        assert result.dynamic_partitions_requests[0].partition_keys == [SOURCE]
        instance.add_dynamic_partitions(source_partitions.name, [SOURCE])
        train_source_model(engine, settings.shared_root, SOURCE)
        assert isinstance(verdicts_sensor(context), SkipReason)


def test_a_sources_history_reads_the_same_from_snapshots_as_from_the_database(labelled_then_new):
    settings, first, *_ = labelled_then_new
    engine = get_engine(settings.database_url)
    with engine.connect() as connection:
        files = risk_models.source_files(connection, SOURCE)
        since, until = files["latest"].min() - pd.Timedelta(days=3), files["latest"].max()
        for window in ({}, {"since": since, "until": until}):
            stored = risk_models.source_transactions(connection, files, **window)
            snapshots = risk_models.source_transactions(connection, files, snapshots=settings.shared_root, **window)
            key = ["data_file_id", "row_number"]
            pd.testing.assert_frame_equal(
                snapshots.sort_values(key, ignore_index=True), stored.sort_values(key, ignore_index=True)
            )
        assert 0 < len(stored) < len(risk_models.source_transactions(connection, files))
    # The snapshot is what is read where it matches: amounts changed in it show.
    first_id = uuid.UUID(str(first.data_file_id))
    path = snapshot_path(settings.shared_root, first_id)
    snapshot = pd.read_parquet(path)
    snapshot.assign(amount=snapshot["amount"] * 2).to_parquet(path, index=False)
    with engine.connect() as connection:
        read = risk_models.source_transactions(connection, files, snapshots=settings.shared_root)
        stored = risk_models.source_transactions(connection, files)
    of_first = (stored["data_file_id"] == first_id.hex).to_numpy()
    assert of_first.any()
    np.testing.assert_allclose(read["amount"].to_numpy()[of_first], 2 * stored["amount"].to_numpy()[of_first])
    # A snapshot that no longer matches the stored rows is not read.
    path.write_bytes(b"not parquet")
    with engine.connect() as connection:
        again = risk_models.source_transactions(connection, files, snapshots=settings.shared_root)
        pd.testing.assert_frame_equal(again, risk_models.source_transactions(connection, files))


def test_the_data_clock_places_each_verdict_after_the_files_registered_before_it(labelled_then_new):
    settings, first, week4_file, *_ = labelled_then_new
    engine = get_engine(settings.database_url)
    with engine.connect() as connection:
        files = risk_models.source_files(connection, SOURCE)
        history = risk_models.source_transactions(connection, files)
        known = risk_models.known_verdicts(connection, SOURCE, files, history, None)
    first_rows = (history["data_file_id"] == uuid.UUID(str(first.data_file_id)).hex).to_numpy()
    week4_rows = (history["data_file_id"] == uuid.UUID(str(week4_file.data_file_id)).hex).to_numpy()
    second_rows = ~first_rows & ~week4_rows
    of_first = first_rows[known["position"]]
    # The first file's labels were recorded once it was registered: known from its last payment on,
    # and the second file's from the second's last payment on.
    assert (known.loc[of_first, "known_at"] == history.loc[first_rows, "posting_date"].max()).all()
    assert (known.loc[~of_first, "known_at"] == history.loc[second_rows, "posting_date"].max()).all()
    assert of_first.sum() == first_rows.sum() and len(known) == first_rows.sum() + second_rows.sum()
    assert np.all(history["posting_date"].to_numpy()[known["position"]] <= known["known_at"].to_numpy())

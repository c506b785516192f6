"""What the ML stage of a file needs from its source's learning: the newest risk model, trained
first when verdicts were recorded since it was (so a run without a daemon scores as the running
system would), and the file's history features. None when the source has nothing to learn from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from fintrace_pipeline.learning.training import TrainingOutcome, is_stale, load_model, train_source_model
from fintrace_pipeline.ml.history import WINDOWS_DAYS, history_features
from fintrace_pipeline.ml.history_forest import LearnedModel, entity_words
from fintrace_pipeline.persistence import risk_models
from fintrace_pipeline.persistence.records import DataFile


@dataclass
class Preparation:
    learned: LearnedModel | None
    trained: TrainingOutcome | None  # the training this run did first, if any
    note: str  # what the stage did, in words


def prepare(
    engine: Engine, shared_root: Path, data_file: DataFile, frame: pd.DataFrame, run_started: datetime
) -> Preparation:
    """The learned model for scoring ``frame`` (the file's rows), knowing every verdict recorded
    before ``run_started``. ``shared_root``: where models and the files' snapshots are kept."""
    source = data_file.source
    with engine.connect() as connection:
        newest_verdict = risk_models.newest_verdict_at(connection, source, run_started)
        version = risk_models.newest_model(connection, source)
    trained = None
    if is_stale(version, newest_verdict):
        trained = train_source_model(engine, shared_root, source, until=run_started)
        version = trained.version or version
    if version is None:
        reason = trained.reason if trained else f"source {source!r} has no verdicts yet"
        return Preparation(None, trained, f"no risk model: {reason}")
    model = load_model(shared_root, version)
    history = file_history(engine, shared_root, data_file, frame, run_started)
    learned = LearnedModel(
        model=model,
        names=list(version.features),
        version=version.label,
        metrics=dict(version.metrics or {}),
        history=history,
        entity_words=entity_words(data_file.column_mapping),
    )
    how = "trained first" if trained and trained.version else "newest"
    return Preparation(learned, trained, f"scored with risk model {version.label} of {source!r} ({how})")


def file_history(
    engine: Engine, shared_root: Path, data_file: DataFile, frame: pd.DataFrame, run_started: datetime
) -> pd.DataFrame:
    """History features of the file's rows (in ``frame``'s order): the source's transactions of the
    longest window before the file's first row up to its last, and the verdicts recorded before the run."""
    dates = pd.to_datetime(frame["posting_date"])
    since, until = (dates.min() - timedelta(days=max(WINDOWS_DAYS))).to_pydatetime(), dates.max().to_pydatetime()
    with engine.connect() as connection:
        files = risk_models.source_files(connection, data_file.source)
        within = risk_models.files_within(files, since, until)
        history = risk_models.source_transactions(connection, within, since, until, snapshots=shared_root)
        verdicts = risk_models.known_verdicts(
            connection, data_file.source, files, history, run_started, confirmed_targets_only=True
        )
    positions = risk_models.positions_of(history, [data_file.id] * len(frame), frame["row_number"])
    if (positions < 0).any():
        raise ValueError(f"{int((positions < 0).sum())} rows of {data_file.file_name} are not among its stored rows")
    return history_features(history, verdicts, positions).reset_index(drop=True)

"""Training a source's risk model from its stored transactions and verdicts, and keeping the version.

Training rows are the reviewed rows (newest verdict confirmed or cleared, among those recorded up to
``until``); each is described as it was when it happened: today's features computed on its own file,
and history features from the source's transactions before it and the verdicts known by then.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from fintrace_pipeline.ml.features import build_features
from fintrace_pipeline.ml.history import history_features
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.ml.risk_model import FittedRiskModel, NothingToLearn, RiskModelOptions, fit_risk_model
from fintrace_pipeline.persistence import risk_models
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.risk_models import LABELS, RiskModelVersion

MODELS_FOLDER = "models"
# Rule findings are not stored per file for a learner to replay, so the model reads none.
RULE_FEATURE_PREFIX = "rule_"


@dataclass
class TrainingOutcome:
    version: RiskModelVersion | None  # None: nothing to learn from yet
    reason: str | None  # why there is no new version
    seconds: dict[str, float]


def today_features(history: pd.DataFrame, positions: np.ndarray) -> pd.DataFrame:
    """Today's per-file features of the rows at ``positions``, each computed on its own file's rows
    (as the ML stage computed them), without the rule findings."""
    parts = []
    wanted = pd.Series(False, index=history.index)
    wanted.iloc[positions] = True
    for _, rows in history.groupby("data_file_id", sort=False):
        if not wanted.loc[rows.index].any():
            continue
        file_rows = rows.sort_values("row_number")
        features = build_features(file_rows.reset_index(drop=True), None, MLOptions()).matrix
        features.index = file_rows.index
        features = features.loc[wanted.loc[file_rows.index].to_numpy()]
        parts.append(features[[c for c in features.columns if not c.startswith(RULE_FEATURE_PREFIX)]])
    return pd.concat(parts).reindex(history.index[positions]).fillna(0.0)


def training_labels(verdicts: pd.DataFrame) -> pd.DataFrame:
    """Each reviewed row's label: its newest verdict, confirmed 1 or cleared 0 (follow-up rows left out)."""
    newest = verdicts.drop_duplicates("position", keep="last")
    newest = newest[newest["verdict"].isin(list(LABELS))]
    return pd.DataFrame({"position": newest["position"], "label": newest["verdict"].map(LABELS)})


def model_path(source: str, trained_at: datetime) -> Path:
    """Where a version is kept, relative to the shared root (var/ unless steps run on several machines)."""
    return Path(MODELS_FOLDER) / source / f"{trained_at:%Y%m%dT%H%M%S%f}.joblib"


def train_source_model(
    engine: Engine,
    shared_root: Path,
    source: str,
    until: datetime | None = None,
    options: RiskModelOptions | None = None,
) -> TrainingOutcome:
    """A new version of the source's model from the verdicts recorded up to ``until`` (all when None).
    ``shared_root``: where the files' snapshots are read and the model is kept."""
    options = options or RiskModelOptions()
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    with engine.connect() as connection:
        until = until or utcnow()
        newest_verdict = risk_models.newest_verdict_at(connection, source, until)
        if newest_verdict is None:
            return TrainingOutcome(None, f"source {source!r} has no verdicts yet", seconds)
        files = risk_models.source_files(connection, source)
        history = risk_models.source_transactions(connection, files, snapshots=shared_root)
        verdicts = risk_models.known_verdicts(connection, source, files, history, until)
    seconds["load"] = round(time.perf_counter() - started, 3)
    labels = training_labels(verdicts)
    positions = labels["position"].to_numpy(dtype=np.int64)
    y = labels["label"].to_numpy(dtype=np.int64)
    if min(int(y.sum()), int((y == 0).sum())) < 1:
        return TrainingOutcome(None, f"{int(y.sum())} confirmed and {int((y == 0).sum())} cleared rows", seconds)
    step = time.perf_counter()
    today = today_features(history, positions)
    past = history_features(history, verdicts, positions)
    seconds["features"] = round(time.perf_counter() - step, 3)
    matrix = pd.concat([today.set_axis(past.index), past], axis=1)
    times = history["posting_date"].to_numpy("datetime64[ns]")[positions]
    step = time.perf_counter()
    try:
        fitted = fit_risk_model(matrix.to_numpy(dtype=np.float32), y, times, list(matrix.columns), options)
    except NothingToLearn as reason:
        return TrainingOutcome(None, str(reason), seconds)
    seconds["fit"] = round(time.perf_counter() - step, 3)
    version = _store(engine, shared_root, source, newest_verdict, fitted, seconds)
    seconds["total"] = round(time.perf_counter() - started, 3)
    return TrainingOutcome(version, None, seconds)


def _store(
    engine: Engine, shared_root: Path, source: str, newest_verdict: datetime, fitted: FittedRiskModel, seconds: dict
) -> RiskModelVersion:
    trained_at = utcnow()
    relative = model_path(source, trained_at)
    target = shared_root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(fitted.model, target)
    with engine.begin() as connection:
        return risk_models.store_model(
            connection,
            source=source,
            trained_at=trained_at,
            verdicts_until=newest_verdict,
            training_rows=fitted.training_rows,
            positives=fitted.positives,
            average_precision=fitted.metrics["average_precision"],
            precision_at_k=fitted.metrics["precision_at_k"],
            metrics={**fitted.metrics, "seconds": seconds},
            feature_importance=fitted.importance,
            features=fitted.names,
            model_path=str(relative),
        )


def load_model(shared_root: Path, version: RiskModelVersion):
    path = shared_root / version.model_path
    if not path.exists():
        raise FileNotFoundError(
            f"risk model {version.label} of source {version.source!r} should be at {path}, which is missing; "
            "materialize risk_model for the source to train it again"
        )
    return joblib.load(path)


def is_stale(version: RiskModelVersion | None, newest_verdict: datetime | None) -> bool:
    """True when verdicts exist that the model (if any) has not learned from."""
    return newest_verdict is not None and (version is None or version.verdicts_until < newest_verdict)

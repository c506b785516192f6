"""The random forest in ``history`` mode: the source's risk model, trained on the verdicts of its
earlier files, scores a new file on today's features and the history features (see history.py).

The model is already fitted, so nothing is learned from the file itself; the ensemble leans on it,
and a high-risk row's reasons say in words what the source's verdicts show about its counterparty,
user or account ("terminal 5161 had 4 confirmed issues in the last 7 days").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.findings import LIST_SEPARATOR
from fintrace_pipeline.ml import history
from fintrace_pipeline.ml.detectors import Detector, DetectorReport, Evidence, LearningData
from fintrace_pipeline.ml.options import MLOptions
from fintrace_pipeline.ml.risk_model import predict

HISTORY = "history"
# With a model trained on the source's verdicts the ensemble is mostly that model: the unsupervised
# detectors rank card fraud barely above chance, and the model has learned what the rules' inputs say.
HISTORY_WEIGHTS = {"random_forest": 0.9, "rule_score": 0.1}
ENTITY_WORDS = {"vendor": "counterparty", "user": "user", "account": "account"}
REASON_CODE = "CONFIRMED_HISTORY"


@dataclass
class LearnedModel:
    """A source's fitted risk model and the history features of the file it scores."""

    model: Any  # a fitted classifier with predict_proba
    names: list[str]  # its features, in order
    version: str  # how results name it, e.g. "history-v3"
    metrics: dict[str, Any]
    history: pd.DataFrame  # history features, one row per row of the file, in the file's order
    entity_words: dict[str, str] = field(default_factory=lambda: dict(ENTITY_WORDS))

    def matrix(self, today: pd.DataFrame) -> np.ndarray:
        """The model's features for the file: today's (0 where the file lacks one) and history's."""
        columns = {}
        for name in self.names:
            if name in self.history.columns:
                columns[name] = self.history[name].to_numpy()
            elif name in today.columns:
                columns[name] = today[name].to_numpy()
            else:
                columns[name] = np.zeros(len(today))
        return pd.DataFrame(columns).to_numpy(dtype=np.float32)


class HistoryForest(Detector):
    model_type = "random_forest"

    def __init__(self, options: MLOptions, learned: LearnedModel) -> None:
        super().__init__(options)
        self.learned = learned

    def learning_data(self, evidence: Evidence) -> LearningData:
        return LearningData(self.learned.matrix(evidence.features.matrix), list(self.learned.names))

    def fit(self, features: np.ndarray, labels: np.ndarray | None = None) -> HistoryForest:
        return self  # trained on the source's earlier files, never on the file it scores

    def score_samples(self, features: np.ndarray) -> np.ndarray:
        return predict(self.learned.model, features, self.options.score_chunk_rows)

    def report(self, data: LearningData, scores: np.ndarray) -> DetectorReport:
        threshold = float(self.learned.metrics.get("threshold") or 0.5)
        importance = getattr(self.learned.model, "feature_importances_", None)
        return DetectorReport(
            anomalous=scores >= threshold,
            details={
                "mode": HISTORY,
                "risk_model": self.learned.version,
                "threshold": threshold,
                "threshold_rule": "maximum F1 in the model's time-ordered cross-validation",
            },
            metrics={k: v for k, v in self.learned.metrics.items() if k != "folds"},
            importance=(
                {n: round(float(v), 6) for n, v in zip(data.names, importance, strict=True)}
                if importance is not None
                else None
            ),
            confidence=self.learned.metrics.get("average_precision"),
        )


def entity_words(column_mapping: dict[str, str] | None) -> dict[str, str]:
    """What the file calls each entity, from the header it was mapped from ("TERMINAL_ID" -> terminal)."""
    words = dict(ENTITY_WORDS)
    for entity, header in (column_mapping or {}).items():
        if entity in words and isinstance(header, str):
            word = header.replace("_", " ").replace("-", " ").strip().lower()
            word = word.removesuffix(" id").removesuffix(" no").strip()
            if word:
                words[entity] = word
    return words


def _phrase(word: str, value: Any, count: int, days: int) -> str:
    issues = "confirmed issue" if count == 1 else "confirmed issues"
    window = "day" if days == 1 else f"{days} days"
    return f"{word} {value} had {count} {issues} in the last {window}"


def history_reasons(learned: LearnedModel, frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """For each given row with confirmed issues in its entities' history: ``reasons`` (codes) and
    ``reason_text``, the shortest window that has any, per entity, most confirmed first."""
    texts: dict[int, list[tuple[int, str, str]]] = {}
    for entity in history.ENTITIES:
        if entity not in frame.columns:
            continue
        for days in history.WINDOWS_DAYS:
            name = history.feature_name(entity, "confirmed", days)
            if name not in learned.history.columns:
                continue
            counts = learned.history[name].to_numpy()[rows]
            for row, count in zip(rows, counts, strict=True):
                entries = texts.setdefault(int(row), [])
                if count <= 0 or any(code.endswith(entity.upper()) for _, code, _ in entries):
                    continue
                value = frame[entity].iloc[row]
                phrase = _phrase(learned.entity_words.get(entity, entity), value, int(count), days)
                entries.append((int(count), f"{REASON_CODE}_{entity.upper()}", phrase))
    out = {}
    for row, entries in texts.items():
        if entries:
            entries.sort(key=lambda e: -e[0])
            out[row] = (LIST_SEPARATOR.join(c for _, c, _ in entries), LIST_SEPARATOR.join(t for _, _, t in entries))
    return pd.DataFrame.from_dict(out, orient="index", columns=["reasons", "reason_text"])


def with_history_reasons(
    explanations: pd.DataFrame, learned: LearnedModel, frame: pd.DataFrame, rows: np.ndarray
) -> pd.DataFrame:
    """``explanations`` (reasons by row position) with each row's history reasons first."""
    extra = history_reasons(learned, frame, rows)
    if extra.empty:
        return explanations
    merged = explanations.copy() if len(explanations) else pd.DataFrame(columns=["reasons", "reason_text"])
    for column in ("reasons", "reason_text"):
        merged[column] = merged[column].astype("string")
    for row, values in extra.iterrows():
        if row in merged.index and isinstance(merged.at[row, "reasons"], str) and merged.at[row, "reasons"]:
            merged.loc[row, "reasons"] = values["reasons"] + LIST_SEPARATOR + merged.at[row, "reasons"]
            merged.loc[row, "reason_text"] = values["reason_text"] + LIST_SEPARATOR + merged.at[row, "reason_text"]
        else:
            merged.loc[row, "reasons"] = values["reasons"]
            merged.loc[row, "reason_text"] = values["reason_text"]
    return merged

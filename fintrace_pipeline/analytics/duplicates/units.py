"""The building blocks of the units the duplicate tests compare (lines, or documents of journal
entries): text columns as integer codes, which lines make up each unit, and each unit's postings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from fintrace_pipeline.analytics.columns import text_values


@dataclass(frozen=True)
class TextCodes:
    """A text column as integer codes (-1 = blank) into ``names``; ``norm`` codes index ``norm_names``
    and are assigned in sorted order of the normalised names."""

    code: np.ndarray
    names: np.ndarray
    norm: np.ndarray
    norm_names: np.ndarray

    def take(self, index: np.ndarray) -> TextCodes:
        return TextCodes(self.code[index], self.names, self.norm[index], self.norm_names)

    def raw(self, index: np.ndarray) -> list[str | None]:
        """The spellings at ``index``, None where blank."""
        return [None if c < 0 else str(self.names[c]) for c in self.code[index].tolist()]


def text_codes(values: pd.Series, normalize: Any = None) -> TextCodes:
    code, names = pd.factorize(text_values(values), use_na_sentinel=True)
    names = np.asarray(names, dtype=object)
    if normalize is None:
        return TextCodes(code.astype(np.int64), names, code.astype(np.int64), names)
    normalised = normalize(pd.Series(names, dtype="string")) if len(names) else pd.Series([], dtype="string")
    norm_of_name, norm_names = pd.factorize(normalised, sort=True)
    norm = np.where(code >= 0, norm_of_name[np.maximum(code, 0)] if len(names) else -1, -1)
    return TextCodes(code.astype(np.int64), names, norm.astype(np.int64), np.asarray(norm_names, dtype=object))


@dataclass(frozen=True)
class UnitLines:
    """The transaction positions of every unit: ``position[start[u] : start[u] + count[u]]``."""

    start: np.ndarray
    count: np.ndarray
    position: np.ndarray

    @classmethod
    def one_each(cls, position: np.ndarray) -> UnitLines:
        n = len(position)
        return cls(np.arange(n, dtype=np.int64), np.ones(n, dtype=np.int64), position)

    @classmethod
    def grouped(cls, unit: np.ndarray, position: np.ndarray, units: int) -> UnitLines:
        """From each line's unit (``unit``, 0..units-1) and position."""
        order = np.lexsort((position, unit))
        count = np.bincount(unit, minlength=units).astype(np.int64)
        return cls(np.cumsum(count) - count, count, position[order])

    def of(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The positions of ``units`` (unit by unit) and, for each, which of ``units`` it belongs to."""
        count = self.count[units]
        owner = np.repeat(np.arange(len(units)), count)
        offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        return self.position[np.repeat(self.start[units], count) + offsets], owner

    def keep(self, kept: np.ndarray) -> UnitLines:
        """The lines of the units where ``kept`` is True, renumbered."""
        units = np.flatnonzero(kept)
        position, _ = self.of(units)
        return UnitLines(np.cumsum(self.count[units]) - self.count[units], self.count[units], position)


@dataclass(frozen=True)
class Postings:
    """How each document's journal entry posts: per unit its entry, per entry the distinct
    (account, side) keys of its lines (``keys[key_start[e] : key_start[e] + key_count[e]]``, a key
    being ``2 * account code + 1`` for a debit and ``2 * account code`` for a credit)."""

    entry: np.ndarray
    key_start: np.ndarray
    key_count: np.ndarray
    keys: np.ndarray

    def take(self, index: np.ndarray) -> Postings:
        return Postings(self.entry[index], self.key_start, self.key_count, self.keys)

    def unit_keys(self, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``units``, key) for every posting key of the units' entries."""
        entry = self.entry[units]
        count = self.key_count[entry]
        owner = np.repeat(np.arange(len(units)), count)
        offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
        return owner, self.keys[np.repeat(self.key_start[entry], count) + offsets]

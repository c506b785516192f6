"""The raw table every reader produces: text cells under their headers, numbered data rows, and the
records whose cell count does not match the header."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fintrace_pipeline.ingest.values import contains

HEADER_SEARCH_ROWS = 30  # title rows above the header are only looked for this far down
# A record none of whose cells holds a letter or a digit carries no data: ",,,,", ",† ,,", " - ".
DATA_CHARACTER = r"[\pL\pN]"


@dataclass
class RawTable:
    """The cells of a table, as text, one column per header.

    ``cells`` holds the rows with exactly one cell per header (empty cells are ""), ``row_numbers``
    their 1-based ordinal among the data records; ``ragged`` the other records as
    (row_number, cells). Blank records are in neither and not numbered.
    """

    headers: list[str]
    cells: pd.DataFrame
    row_numbers: np.ndarray
    ragged: list[tuple[int, list[str]]]
    file_format: str = ""
    compression: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet_name: str | None = None
    header_row: int = 1
    notes: list[str] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.cells) + len(self.ragged)


def assemble(headers: list[str], cells: pd.DataFrame, bad: list[tuple[int, list[str]]]) -> RawTable:
    """Drop blank records and number the rest 1..n in file order.

    ``bad`` holds the ragged records with their ordinal among all records; ``cells`` the others, in order.
    """
    total = len(cells) + len(bad)
    is_bad = np.zeros(total, dtype=bool)
    bad_ordinals = np.array([o for o, _ in bad], dtype=np.int64)
    is_bad[bad_ordinals] = True
    good_ordinals = np.flatnonzero(~is_bad)
    blank = np.zeros(total, dtype=bool)
    blank[good_ordinals] = blank_rows(cells)
    blank[bad_ordinals] = [not any(contains(pd.Series(record, dtype="string"), DATA_CHARACTER)) for _, record in bad]
    row_number = np.cumsum(~blank)
    keep_good = ~blank[good_ordinals]
    cells = cells[keep_good].reset_index(drop=True) if not keep_good.all() else cells
    ragged = [(int(row_number[o]), record) for o, record in bad if not blank[o]]
    return RawTable(
        headers=headers,
        cells=cells,
        row_numbers=row_number[good_ordinals[keep_good]].astype(np.int64),
        ragged=ragged,
    )


def blank_rows(cells: pd.DataFrame) -> np.ndarray:
    blank = np.ones(len(cells), dtype=bool)
    for name in cells.columns:
        blank &= ~contains(cells[name], DATA_CHARACTER)
        if not blank.any():
            break
    return blank

"""Time ledger generation and writing.

    .venv/bin/python bench/bench_generate.py [rows] [xlsx_rows]

Defaults: 1,000,000 rows written as CSV, gzipped CSV and TSV; 100,000 rows as Excel.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from fintrace_pipeline.generate import generate_ledger, write_ledger


def timed(label: str, action) -> object:
    start = time.perf_counter()
    result = action()
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    xlsx_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    generated = timed(f"generate_ledger({rows:,})", lambda: generate_ledger(rows, seed=0))
    print(
        f"{'labelled rows':<34} {generated.labels['row_number'].nunique():,} "
        f"({generated.labels['row_number'].nunique() / rows:.2%})"
    )
    with tempfile.TemporaryDirectory() as folder:
        for name in ("ledger.csv", "ledger.csv.gz", "ledger.tsv"):
            out = Path(folder) / name
            timed(f"write {name}", lambda out=out: write_ledger(generated, out, Path(folder) / "labels.csv"))
            print(f"{'  size':<34} {out.stat().st_size / 1e6:7.1f} MB")
        small = generate_ledger(xlsx_rows, seed=0)
        out = Path(folder) / "ledger.xlsx"
        timed(f"write ledger.xlsx ({xlsx_rows:,} rows)", lambda: write_ledger(small, out))
        print(f"{'  size':<34} {out.stat().st_size / 1e6:7.1f} MB")


if __name__ == "__main__":
    main()

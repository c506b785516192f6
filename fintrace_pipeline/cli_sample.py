"""``fintrace sample``: a reproducible monetary unit sample of a stored file, written with its method
and parameters (JSON, or CSV with the parameters above the selected lines)."""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from fintrace_pipeline.analytics.sampling import SamplingOptions
from fintrace_pipeline.exports import neutralise_formulas
from fintrace_pipeline.settings import get_settings

OUT_FORMATS = (".json", ".csv")


def sample_csv(sample: dict[str, Any]) -> str:
    """The parameters as ``parameter,value`` rows, a blank row, then one row per selected line (text
    neutralised against spreadsheet formulas, as in exports)."""
    head = {"data_file_id": sample["data_file_id"], "file_name": sample["file_name"], "sha256": sample["sha256"]}
    values = {**head, **sample["parameters"], "sample_size": sample["sample_size"]}
    parameters = pd.DataFrame(
        {"parameter": list(values), "value": ["" if v is None else str(v) for v in values.values()]}
    )
    items = pd.DataFrame(sample["items"])
    return (
        neutralise_formulas(parameters).to_csv(index=False, lineterminator="\n")
        + "\n"
        + neutralise_formulas(items).to_csv(index=False, lineterminator="\n")
    )


def cmd_sample(args) -> int:
    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.db.migrate import require_current_schema
    from fintrace_pipeline.sample_file import sample_of_file

    out = Path(args.out)
    if out.suffix.lower() not in OUT_FORMATS:
        raise ValueError(f"--out must end in {' or '.join(OUT_FORMATS)}, got {out.name}")
    options = SamplingOptions(size=args.size, confidence=args.confidence, tolerable=args.tolerable, seed=args.seed)
    engine = get_engine(get_settings().database_url)
    require_current_schema(engine)
    with engine.connect() as connection:
        sample = sample_of_file(connection, uuid.UUID(args.file_id), options)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".csv":
        out.write_text(sample_csv(sample), encoding="utf-8")
    else:
        out.write_text(json.dumps(sample, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    p = sample["parameters"]
    print(
        f"sampled {sample['sample_size']:,} lines ({sample['top_stratum']['lines']:,} top stratum, "
        f"{sample['sampled_remainder']['sampling_points']:,} sampling points) from {sample['population']['lines']:,} "
        f"lines totalling {p['population_total']:,.2f}: interval {p['sampling_interval']:,.2f}, "
        f"random start {p['random_start']:,.2f}, seed {p['seed']}; wrote {out}"
    )
    return 0


def add_sample_command(commands: argparse._SubParsersAction) -> None:
    sample = commands.add_parser("sample", help="a reproducible monetary unit sample of a file's lines")
    sample.add_argument("--file-id", required=True)
    how = sample.add_mutually_exclusive_group(required=True)
    how.add_argument("--size", type=int, help="sample size n: interval = population total / n")
    how.add_argument("--confidence", type=float, help="confidence level such as 0.95 (with --tolerable)")
    sample.add_argument("--tolerable", type=float, help="tolerable misstatement (with --confidence)")
    sample.add_argument("--seed", type=int, default=0, help="seed of the random start (default 0)")
    sample.add_argument("--out", required=True, help=".json, or .csv (parameters above the selected lines)")
    sample.set_defaults(handler=cmd_sample)

"""Learning from verdicts on the FDH card payments, through the stored pipeline and the CLI.

April and May are processed as two files of one source with their label column (TX_FRAUD) mapped as
``label``; June is then split into weekly files processed without labels, each followed by
``fintrace verdicts import`` of that week's outcomes. Reported: the stored risk scores of the June
weeks (as stored when each week was processed) as average precision and precision at k (k = frauds),
overall and per TX_FRAUD_SCENARIO (the scenario's rows against every genuine row); the time to train
the source's model on all three months; and the ML stage's scoring time of a June week with the
model and without one (one process, back to back).

    .venv/bin/python bench/bench_fdh_learning.py [--datasets DIR] [--rows-per-day N] [--work DIR]
    .venv/bin/python bench/bench_fdh_learning.py --report --work DIR
    .venv/bin/python bench/bench_fdh_learning.py --timing --work DIR

``--rows-per-day`` keeps a sample of each day's rows (every fraud kept) for a quick run. ``--report``
reads the stored scores of the June weeks a kept work folder has processed so far and reports them;
``--timing`` times the training and the scoring again on a kept work folder whose run has finished.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score
from sqlalchemy import select

from fintrace_pipeline.settings import PROJECT_ROOT

DEFAULT_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"
SOURCE = "fdh"
MAPPING = {
    "transaction_id": "TRANSACTION_ID",
    "posting_date": "TX_DATETIME",
    "amount": "TX_AMOUNT",
    "user": "CUSTOMER_ID",
    "vendor": "TERMINAL_ID",
}
LABEL_COLUMNS = ["TX_FRAUD", "TX_FRAUD_SCENARIO"]


def fintrace(env: dict, *args: str) -> str:
    command = [sys.executable, "-m", "fintrace_pipeline.cli", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=PROJECT_ROOT)
    if done.returncode != 0:
        raise SystemExit(f"fintrace {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def month(datasets: Path, number: int, rows_per_day: int | None) -> pd.DataFrame:
    frame = pd.read_csv(datasets / f"fdh_2018-{number:02d}.csv.gz")
    if rows_per_day:
        day = pd.to_datetime(frame["TX_DATETIME"]).dt.date
        rank = frame.groupby(day).cumcount()
        frame = frame[(rank < rows_per_day) | (frame["TX_FRAUD"] == 1)].reset_index(drop=True)
    return frame


def june_weeks(june: pd.DataFrame) -> list[pd.DataFrame]:
    """June in weeks of seven days from the 1st (the last one shorter)."""
    day = pd.to_datetime(june["TX_DATETIME"]).dt.day
    week = (day - 1) // 7
    return [june[week == w].reset_index(drop=True) for w in sorted(week.unique())]


def process(env: dict, path: Path, mapping: dict) -> dict:
    started = time.perf_counter()
    out = json.loads(
        fintrace(env, "process", str(path), "--source", SOURCE, "--mapping", json.dumps(mapping), "--json")
    )
    out["seconds"] = round(time.perf_counter() - started, 1)
    return out


def stored_scores(engine, data_file_id: str) -> pd.DataFrame:
    from fintrace_pipeline.db.schema import ml_model_processing_results, transaction_scores
    from fintrace_pipeline.persistence import jobs

    file_id = uuid.UUID(data_file_id)
    with engine.connect() as connection:
        job = jobs.latest_job(connection, file_id)
        ts = transaction_scores
        rows = connection.execute(
            select(ts.c.transaction_id, ts.c.risk_score, ts.c.reasons, ts.c.reason_text).where(
                ts.c.processing_job_id == job.id
            )
        ).all()
        m = ml_model_processing_results
        forest = connection.execute(
            select(m.c.model_version, m.c.detailed_results, m.c.processing_duration).where(
                m.c.processing_job_id == job.id, m.c.model_type == "random_forest"
            )
        ).first()
    frame = pd.DataFrame(rows, columns=["transaction_id", "risk_score", "reasons", "reason_text"])
    frame["transaction_id"] = frame["transaction_id"].astype("int64")
    frame.attrs["forest"] = {
        "model_version": forest.model_version,
        "mode": (forest.detailed_results or {}).get("mode"),
    }
    return frame


def quality(labels: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    k = int(labels.sum())
    top = np.argsort(-scores, kind="stable")[:k]
    return {
        "frauds": k,
        "average_precision": round(float(average_precision_score(labels, scores)), 4),
        "precision_at_k": round(float(labels[top].mean()), 4),
    }


def by_scenario(frame: pd.DataFrame) -> dict:
    out = {"all": quality(frame["TX_FRAUD"].to_numpy(), frame["risk_score"].to_numpy())}
    for scenario in sorted(s for s in frame["TX_FRAUD_SCENARIO"].unique() if s != 0):
        rows = frame[frame["TX_FRAUD_SCENARIO"].isin([0, scenario])]
        out[f"scenario {scenario}"] = quality(rows["TX_FRAUD"].to_numpy(), rows["risk_score"].to_numpy())
    return out


def scoring_times(engine, settings, data_file_id: str) -> dict[str, float]:
    """The ML stage's scoring of one processed file with the source's model and without a model."""
    from fintrace_pipeline.db.transactions import load_transactions
    from fintrace_pipeline.defs.loading import canonical_columns
    from fintrace_pipeline.learning.scoring import prepare
    from fintrace_pipeline.ml.run import run_ml_ensemble
    from fintrace_pipeline.persistence.clock import utcnow
    from fintrace_pipeline.persistence.files import get_data_file

    with engine.connect() as connection:
        data_file = get_data_file(connection, uuid.UUID(data_file_id))
        frame = load_transactions(connection, data_file.id, canonical_columns(data_file.column_mapping))
    times = {}
    for _round in range(2):  # the second round of each, once every import is warm
        for name, learned in (("without_model", False), ("with_model", True)):
            started, cpu = time.perf_counter(), time.process_time()
            model = prepare(engine, settings.shared_root, data_file, frame, utcnow()).learned if learned else None
            run_ml_ensemble(frame, learned=model)
            times[f"{name}_s"] = round(time.perf_counter() - started, 2)
            times[f"{name}_cpu_s"] = round(time.process_time() - cpu, 2)
    times["ratio_wall"] = round(times["with_model_s"] / times["without_model_s"], 3)
    times["ratio_cpu"] = round(times["with_model_cpu_s"] / times["without_model_cpu_s"], 3)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--rows-per-day", type=int, default=None)
    parser.add_argument("--work", type=Path, default=None, help="keep the database and files here")
    parser.add_argument("--report", action="store_true", help="only report the weeks stored in --work")
    parser.add_argument("--timing", action="store_true", help="only time training and scoring on --work")
    args = parser.parse_args()
    if (args.report or args.timing) and args.work is None:
        parser.error("--report and --timing read a kept work folder: give --work DIR")
    work = args.work or Path(tempfile.mkdtemp(prefix="fdh-learning-"))
    work.mkdir(parents=True, exist_ok=True)
    var = work / "var"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "FINTRACE_VAR_DIR": str(var),
        "FINTRACE_DATABASE_URL": os.environ.get("FINTRACE_BENCH_DATABASE_URL", f"sqlite:///{var / 'fintrace.db'}"),
        "DAGSTER_HOME": str(var / "dagster"),
    }
    os.environ.update({k: env[k] for k in ("FINTRACE_VAR_DIR", "FINTRACE_DATABASE_URL", "DAGSTER_HOME")})
    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.settings import get_settings

    settings = get_settings()
    engine = get_engine(settings.database_url)
    if args.report:
        report_stored(engine, work, month(args.datasets, 6, None))
        return
    if args.timing:
        train_and_time(engine, settings, stored_week_ids(engine))
        return
    fintrace(env, "db", "upgrade")
    print(f"work folder: {work}", flush=True)

    for number in (4, 5):
        frame = month(args.datasets, number, args.rows_per_day)
        path = work / f"fdh_2018-{number:02d}.csv"
        frame.to_csv(path, index=False)
        outcome = process(env, path, {**MAPPING, "label": "TX_FRAUD"})
        print(f"2018-{number:02d}: {len(frame):,} rows, labels mapped, processed in {outcome['seconds']} s", flush=True)

    june = month(args.datasets, 6, args.rows_per_day)
    scored = []
    file_ids = []
    for index, week in enumerate(june_weeks(june), start=1):
        path = work / f"fdh_2018-06_week{index}.csv"
        week.drop(columns=LABEL_COLUMNS).to_csv(path, index=False)
        outcome = process(env, path, MAPPING)
        file_ids.append(outcome["data_file_id"])
        scores = stored_scores(engine, outcome["data_file_id"])
        joined = week.merge(scores, left_on="TRANSACTION_ID", right_on="transaction_id", how="left")
        if joined["risk_score"].isna().any():
            raise SystemExit(f"week {index}: {int(joined['risk_score'].isna().sum())} rows have no stored score")
        scored.append(joined.assign(week=index))
        figures = quality(joined["TX_FRAUD"].to_numpy(), joined["risk_score"].to_numpy())
        forest = scores.attrs["forest"]
        print(
            f"June week {index}: {len(week):,} rows, processed in {outcome['seconds']} s, "
            f"random_forest mode {forest['mode']} ({forest['model_version']}), "
            f"AP {figures['average_precision']}, precision at k {figures['precision_at_k']} (k={figures['frauds']})",
            flush=True,
        )
        outcomes = work / f"verdicts_week{index}.csv"
        week[["TRANSACTION_ID", "TX_FRAUD"]].set_axis(["transaction_id", "verdict"], axis=1).to_csv(
            outcomes, index=False
        )
        fintrace(env, "verdicts", "import", str(outcomes), "--file-id", outcome["data_file_id"])

    report(pd.concat(scored, ignore_index=True))
    train_and_time(engine, settings, file_ids)


def stored_week_ids(engine) -> list[str]:
    """The ids of the June weeks stored, in week order."""
    from fintrace_pipeline.db.schema import data_files

    with engine.connect() as connection:
        files = dict(connection.execute(select(data_files.c.file_name, data_files.c.id)).all())
    return [str(files[name]) for name in sorted(files) if name.startswith("fdh_2018-06_week")]


def report_stored(engine, work: Path, june: pd.DataFrame) -> None:
    """The June weeks processed so far in ``work`` (their outcomes imported), from their stored scores."""
    from fintrace_pipeline.db.schema import data_files

    with engine.connect() as connection:
        files = dict(connection.execute(select(data_files.c.file_name, data_files.c.id)).all())
    scored = []
    for index in range(1, 6):
        name = f"fdh_2018-06_week{index}.csv"
        if name not in files or not (work / f"verdicts_week{index}.csv").exists():
            continue  # not processed, or its scores may still be being written
        ids = pd.read_csv(work / name, usecols=["TRANSACTION_ID"])
        week = june.merge(ids, on="TRANSACTION_ID")
        scores = stored_scores(engine, str(files[name]))
        joined = week.merge(scores, left_on="TRANSACTION_ID", right_on="transaction_id", how="left")
        figures = quality(joined["TX_FRAUD"].to_numpy(), joined["risk_score"].to_numpy())
        print(f"June week {index}: {len(week):,} rows, {scores.attrs['forest']}, {figures}")
        scored.append(joined.assign(week=index))
    print(f"June weeks stored so far: {[int(s['week'].iloc[0]) for s in scored]}")
    report(pd.concat(scored, ignore_index=True))


def report(june_scored: pd.DataFrame) -> None:
    print("\nJune, stored risk scores of the weekly files as processed:")
    for name, figures in by_scenario(june_scored).items():
        print(
            f"  {name:<11} frauds {figures['frauds']:>5}  AP {figures['average_precision']:.4f}  "
            f"precision at k {figures['precision_at_k']:.4f}"
        )
    example = june_scored[june_scored["reasons"].fillna("").str.contains("CONFIRMED_HISTORY")]
    if len(example):
        top = example.sort_values("risk_score", ascending=False).iloc[0]
        print(f"  reason of a high-risk row: {top['reason_text']}")


def train_and_time(engine, settings, file_ids: list[str]) -> None:
    from fintrace_pipeline.learning.training import train_source_model

    started, cpu = time.perf_counter(), time.process_time()
    trained = train_source_model(engine, settings.shared_root, SOURCE)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    version = trained.version
    print(
        f"\ntraining on April-June ({version.training_rows:,} reviewed rows, {version.positives:,} confirmed): "
        f"{seconds:.1f} s wall, {cpu:.1f} s CPU {trained.seconds}; cross-validated AP {version.average_precision}, "
        f"precision at k {version.precision_at_k}"
    )
    times = scoring_times(engine, settings, file_ids[-2])
    print(f"scoring a June week (ML stage): {times}")


if __name__ == "__main__":
    main()

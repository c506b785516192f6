"""The `fintrace` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from fintrace_pipeline.settings import get_settings


def _load_mapping(value: str | None) -> dict[str, str] | None:
    """A column mapping given inline as JSON or as the path of a JSON file."""
    if not value:
        return None
    text = Path(value).read_text() if not value.lstrip().startswith("{") else value
    try:
        mapping = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"the mapping is not valid JSON: {exc}") from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise ValueError('the mapping must be a JSON object of canonical name -> source column, e.g. {"amount": "Amt"}')
    return mapping


def cmd_db_upgrade(args) -> int:
    from fintrace_pipeline.db import migrate
    from fintrace_pipeline.db.engine import get_engine

    engine = get_engine(get_settings().database_url)
    migrate.upgrade(engine)
    print(f"database at revision {migrate.current_revision(engine)} ({engine.url.render_as_string()})")
    return 0


def cmd_generate(args) -> int:
    from fintrace_pipeline.generate import generate_ledger, write_ledger

    ledger = generate_ledger(args.rows, seed=args.seed)
    write_ledger(ledger, Path(args.out), Path(args.labels) if args.labels else None)
    print(f"wrote {len(ledger.ledger):,} rows to {args.out}" + (f", labels to {args.labels}" if args.labels else ""))
    return 0


def cmd_process(args) -> int:
    from fintrace_pipeline.orchestration.process import process_file
    from fintrace_pipeline.report import outcome_json, outcome_text

    path = Path(args.path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    outcome = process_file(path, get_settings(), user_mapping=_load_mapping(args.mapping))
    summary = outcome.summary
    if args.json:
        print(json.dumps(outcome_json(summary), indent=2))
    else:
        print(outcome_text(summary))
    if summary["job"]["status"] != "COMPLETED":
        print(f"fintrace: {summary['job']['error_message']}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fintrace", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="show tracebacks and Dagster's log")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the schema to the newest revision").set_defaults(
        handler=cmd_db_upgrade
    )

    generate = commands.add_parser("generate", help="write a realistic ledger with labelled, injected anomalies")
    generate.add_argument("--rows", type=int, required=True)
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--out", required=True, help=".csv, .csv.gz, .tsv or .xlsx")
    generate.add_argument("--labels", help="CSV of the injected anomalies (row_number, kind)")
    generate.set_defaults(handler=cmd_generate)

    process = commands.add_parser("process", help="process one file in-process and print its summary")
    process.add_argument("path")
    process.add_argument("--mapping", help='JSON or a JSON file: canonical name -> source column')
    process.add_argument("--json", action="store_true", help="print one JSON object")
    process.set_defaults(handler=cmd_process)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    if not args.verbose:
        # Dagster logs every event to stderr; the summary is what a user of the CLI reads.
        logging.getLogger("dagster").setLevel(logging.ERROR)
    try:
        return args.handler(args)
    except Exception as exc:
        if args.verbose:
            raise
        print(f"fintrace: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

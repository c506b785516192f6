"""The `fintrace` command line."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from fintrace_pipeline.analysis_choices import Choices
from fintrace_pipeline.cli_files import add_file_commands
from fintrace_pipeline.cli_references import add_reference_commands
from fintrace_pipeline.cli_reports import add_report_commands
from fintrace_pipeline.cli_review import add_review_commands
from fintrace_pipeline.cli_sample import add_sample_command
from fintrace_pipeline.cli_workers import add_worker_command
from fintrace_pipeline.export_kinds import EXPORT_KINDS
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
    for target in (args.out, args.labels):
        if target:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
    write_ledger(ledger, Path(args.out), Path(args.labels) if args.labels else None)
    print(f"wrote {len(ledger.ledger):,} rows to {args.out}" + (f", labels to {args.labels}" if args.labels else ""))
    return 0


def cmd_process(args) -> int:
    from fintrace_pipeline.reports.outcome import outcome_json, outcome_text
    from fintrace_pipeline.runtime.process import process_file

    path = Path(args.path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    choices = Choices.parse(
        country=args.country,
        weekend_days=args.weekend_days,
        business_hours=args.business_hours,
        approval_limits=args.approval_limits,
        materiality=args.materiality,
    )
    outcome = process_file(
        path,
        get_settings(),
        user_mapping=_load_mapping(args.mapping),
        choices=choices,
        source=args.source,
        log_level="DEBUG" if args.verbose else "CRITICAL",
    )
    summary = outcome.summary
    if args.json:
        print(json.dumps(outcome_json(summary), indent=2))
    else:
        print(outcome_text(summary))
    if summary["job"]["status"] != "COMPLETED":
        print(f"fintrace: {summary['job']['error_message']}", file=sys.stderr)
        return 1
    return 0


def cmd_inspect(args) -> int:
    from fintrace_pipeline.ingest.preview import preview_file
    from fintrace_pipeline.preview_report import preview_text

    path = Path(args.path)
    if not path.is_file():
        raise ValueError(f"no such file: {path}")
    settings = get_settings()
    preview = preview_file(
        path,
        user_mapping=_load_mapping(args.mapping),
        max_decompressed_bytes=settings.max_decompressed_bytes,
        max_rows=settings.max_rows,
        missing_values=settings.missing_values,
        country=Choices.parse(country=args.country).country or settings.country,
    )
    print(json.dumps(preview, indent=2, ensure_ascii=False) if args.json else preview_text(preview))
    return 1 if preview["missing"] else 0


def cmd_backfill(args) -> int:
    from datetime import datetime

    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.runtime.backfill import launch_backfill, select_files

    settings = get_settings()
    since = datetime.fromisoformat(args.since) if args.since else None
    partitions = select_files(
        get_engine(settings.database_url), file_ids=args.file_id or [], since=since, everything=args.all
    )
    if not partitions:
        print("no data file matches: nothing to backfill")
        return 0
    print(launch_backfill(settings, partitions).describe())
    return 0


def cmd_export(args) -> int:
    import uuid

    from fintrace_pipeline.api.export_queries import export_frame
    from fintrace_pipeline.api.queries import resolve_job
    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.exports import to_csv_bytes, to_xlsx_bytes

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError("--out must end in .csv or .xlsx")
    with get_engine(get_settings().database_url).connect() as connection:
        data_file_id, job_id = resolve_job(connection, uuid.UUID(args.file_id), None)
        frame = export_frame(connection, args.what, data_file_id, job_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(
        to_xlsx_bytes(frame, sheet_name=args.what) if out.suffix.lower() == ".xlsx" else to_csv_bytes(frame)
    )
    print(f"wrote {len(frame):,} rows to {out} (job {job_id})")
    return 0


def cmd_serve(args) -> int:
    from fintrace_pipeline.api.server import serve

    serve(host=args.host, port=args.port)
    return 0


def cmd_up(args) -> int:
    from fintrace_pipeline.runtime.startup import start_everything

    demo_rows = 0 if args.no_demo else args.demo_rows
    return start_everything(
        get_settings(),
        ui_port=args.ui_port,
        api_port=args.api_port,
        demo_rows=demo_rows,
        workers=args.workers,
        verbose=args.verbose,
    )


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
    process.add_argument("--mapping", help="JSON or a JSON file: canonical name -> source column")
    process.add_argument("--json", action="store_true", help="print one JSON object")
    process.add_argument("--source", help="the source a new file belongs to (a short slug; default: default)")
    calendar = process.add_argument_group("the file's own calendar and limits (default: the FINTRACE_ settings)")
    calendar.add_argument("--country", help="ISO 3166-1 alpha-2 code, optionally with a subdivision: DE, DE-BY, US-CA")
    calendar.add_argument("--weekend-days", help="weekday names, comma-separated: Fri,Sat (default: the country's)")
    calendar.add_argument("--business-hours", help="HH:MM-HH:MM, e.g. 08:00-18:00 (default 07:00-20:00)")
    calendar.add_argument("--approval-limits", help="amounts, comma-separated: 5000,10000,25000")
    calendar.add_argument("--materiality", help="an amount; findings on smaller amounts are one severity lower")
    process.set_defaults(handler=cmd_process)

    inspect = commands.add_parser(
        "inspect", help="show how a file would be read and mapped, storing nothing; exit 1 when it cannot be loaded"
    )
    inspect.add_argument("path")
    inspect.add_argument("--mapping", help="JSON or a JSON file: canonical name -> source column")
    inspect.add_argument("--json", action="store_true", help="print one JSON object")
    inspect.add_argument(
        "--country", help="where the file comes from (ISO 3166-1 alpha-2): reads dates like 03/02/2024"
    )
    inspect.set_defaults(handler=cmd_inspect)

    backfill = commands.add_parser("backfill", help="re-process registered files through a Dagster backfill")
    which = backfill.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every registered file")
    which.add_argument("--file-id", action="append", metavar="ID", help="a data file id (repeatable)")
    which.add_argument("--since", metavar="DATE", help="files registered on or after this date (ISO)")
    backfill.set_defaults(handler=cmd_backfill)

    export = commands.add_parser("export", help="write stored results of a file's latest job to CSV or XLSX")
    export.add_argument("what", choices=EXPORT_KINDS)
    export.add_argument("--file-id", required=True)
    export.add_argument("--out", required=True, help=".csv or .xlsx")
    export.set_defaults(handler=cmd_export)

    serve = commands.add_parser("serve", help="serve the REST API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=cmd_serve)

    add_review_commands(commands)
    add_report_commands(commands)
    add_sample_command(commands)
    add_reference_commands(commands)
    add_file_commands(commands)

    up = commands.add_parser("up", help="run Dagster UI, daemon and API in the foreground (Ctrl-C stops all)")
    up.add_argument("--ui-port", type=int, default=3000)
    up.add_argument("--api-port", type=int, default=8000)
    up.add_argument("--no-demo", action="store_true", help="do not drop the demo ledger on first start")
    up.add_argument("--demo-rows", type=int, default=20_000, help="rows of the demo ledger (default 20,000)")
    up.add_argument("--workers", type=int, default=0, help="start N local Celery workers; steps run on Celery")
    up.set_defaults(handler=cmd_up)
    add_worker_command(commands)
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

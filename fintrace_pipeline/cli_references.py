"""The reference-list commands: ``fintrace reference add`` and ``fintrace reference list``."""

from __future__ import annotations

import argparse
from pathlib import Path

from fintrace_pipeline.cli_review import _engine, cli_actor
from fintrace_pipeline.ingest.reference_lists import KIND_LABELS, KINDS
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.sources import DEFAULT_SOURCE


def cmd_reference_add(args) -> int:
    from fintrace_pipeline.cli import _load_mapping
    from fintrace_pipeline.reference_import import add_reference_list

    stored = add_reference_list(
        _engine(),
        get_settings(),
        Path(args.path),
        kind=args.kind,
        source=args.source,
        user_mapping=_load_mapping(args.mapping),
        uploaded_by=cli_actor(),
    )
    columns = ", ".join(f"{name} <- {header!r}" for name, header in stored["column_mapping"].items())
    print(
        f"added {KIND_LABELS[args.kind]} version {stored['version']} of source {args.source}: "
        f"{stored['rows']:,} entries from {stored['file_name']}"
    )
    print(f"columns: {columns}")
    for line in (*stored["notes"], *stored["warnings"]):
        print(f"note: {line}")
    return 0


def cmd_reference_list(args) -> int:
    from fintrace_pipeline.persistence.references import list_reference_lists

    with _engine().connect() as connection:
        lists = list_reference_lists(connection, args.source)
    if not lists:
        print("no reference lists" + (f" for source {args.source}" if args.source else ""))
        return 0
    rows = [
        (
            item["source"],
            item["kind"],
            str(item["version"]),
            f"{item['rows']:,}",
            item["uploaded_at"][:19].replace("T", " "),
            item["file_name"],
        )
        for item in lists
    ]
    header = ("SOURCE", "KIND", "VERSION", "ENTRIES", "UPLOADED (UTC)", "FILE")
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])
    return 0


def add_reference_commands(commands: argparse._SubParsersAction) -> None:
    reference = commands.add_parser(
        "reference", help="a source's vendor master and employee list (every version kept)"
    ).add_subparsers(dest="reference_command", required=True)
    add = reference.add_parser("add", help="add a new version of a source's vendor master or employee list")
    add.add_argument("path", help="CSV, TSV (optionally gzip) or a workbook")
    add.add_argument("--kind", required=True, choices=KINDS)
    add.add_argument("--source", default=DEFAULT_SOURCE, help=f"the source it belongs to (default {DEFAULT_SOURCE})")
    add.add_argument(
        "--mapping", help='JSON or a JSON file: column -> source header, e.g. {"name": "Firma", "tax_id": "NIP"}'
    )
    add.set_defaults(handler=cmd_reference_add)
    listing = reference.add_parser("list", help="every version of every reference list, newest first")
    listing.add_argument("--source", help="only this source's lists")
    listing.set_defaults(handler=cmd_reference_list)

"""``fintrace files``: managing registered data files from the command line."""

from __future__ import annotations

import argparse
import uuid

from fintrace_pipeline.cli_review import _engine, cli_actor
from fintrace_pipeline.settings import get_settings


def cmd_files_delete(args) -> int:
    from fintrace_pipeline.file_deletion import delete_file
    from fintrace_pipeline.runtime.instance import get_instance

    try:
        data_file_id = uuid.UUID(args.data_file_id)
    except ValueError:
        raise ValueError(f"a data file id is a UUID (see GET /api/files/); got {args.data_file_id!r}") from None
    settings = get_settings()
    with get_instance(settings) as instance:
        deleted = delete_file(_engine(), instance, settings, data_file_id, cli_actor())
    print(deleted.describe())
    return 0


def add_file_commands(commands: argparse._SubParsersAction) -> None:
    files = commands.add_parser("files", help="registered data files").add_subparsers(
        dest="files_command", required=True
    )
    delete = files.add_parser(
        "delete",
        help="delete a file with its jobs, results and verdicts, its Dagster partition and its archived "
        "original (kept when another file refers to the same bytes); recorded in the audit log",
    )
    delete.add_argument("data_file_id")
    delete.set_defaults(handler=cmd_files_delete)

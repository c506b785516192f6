"""The review workflow's commands: ``fintrace users`` and ``fintrace verdicts``."""

from __future__ import annotations

import argparse
import getpass
import uuid
from pathlib import Path

from fintrace_pipeline.roles import ROLES
from fintrace_pipeline.settings import get_settings
from fintrace_pipeline.verdicts import IMPORT_REVIEWER

MAX_REFUSALS_SHOWN = 20


def _engine():
    from fintrace_pipeline.db.engine import get_engine
    from fintrace_pipeline.db.migrate import require_current_schema

    engine = get_engine(get_settings().database_url)
    require_current_schema(engine)
    return engine


def cli_actor() -> str:
    """Who the audit log names for a change made from the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def cmd_users_add(args) -> int:
    from fintrace_pipeline.persistence.users import add_user

    user, token = add_user(_engine(), get_settings().token_key(), args.name, args.role, actor=cli_actor())
    print(f"added {user.name} ({user.role}). Their API token, shown only this once:")
    print(token)
    return 0


def cmd_users_revoke(args) -> int:
    from fintrace_pipeline.persistence.users import revoke_user

    user = revoke_user(_engine(), args.name, actor=cli_actor())
    print(f"revoked {user.name} ({user.role}): their token no longer works")
    return 0


def cmd_users_list(args) -> int:
    from fintrace_pipeline.persistence.users import list_users

    with _engine().connect() as connection:
        users = list_users(connection)
    if not users:
        print("no users: the API is open unless FINTRACE_API_TOKEN is set")
        return 0
    width = max(len("NAME"), *(len(u.name) for u in users))
    print(f"{'NAME':<{width}}  {'ROLE':<8}  {'CREATED (UTC)':<19}  REVOKED (UTC)")
    for user in users:
        revoked = f"{user.revoked_at:%Y-%m-%d %H:%M:%S}" if user.revoked_at else "-"
        print(f"{user.name:<{width}}  {user.role:<8}  {user.created_at:%Y-%m-%d %H:%M:%S}  {revoked}")
    return 0


def cmd_verdicts_import(args) -> int:
    from fintrace_pipeline.persistence.users import validate_name
    from fintrace_pipeline.verdict_import import import_csv

    reviewer = args.reviewer if args.reviewer == IMPORT_REVIEWER else validate_name(args.reviewer)
    report = import_csv(_engine(), Path(args.csv), uuid.UUID(args.file_id), reviewer)
    counts = ", ".join(f"{verdict} {count:,}" for verdict, count in sorted(report.imported.items()))
    print(f"imported {report.imported_total:,} verdicts" + (f" ({counts})" if counts else ""))
    if not report.refused:
        return 0
    print(f"refused {len(report.refused):,} lines:")
    for line, reason in report.refused[:MAX_REFUSALS_SHOWN]:
        print(f"  line {line}: {reason}")
    if len(report.refused) > MAX_REFUSALS_SHOWN:
        print(f"  ... and {len(report.refused) - MAX_REFUSALS_SHOWN:,} more")
    return 1


def cmd_verdicts_export(args) -> int:
    from fintrace_pipeline.api.queries import file_exists
    from fintrace_pipeline.exports import to_csv_bytes, to_xlsx_bytes
    from fintrace_pipeline.persistence.verdicts import export_frame

    out = Path(args.out)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise ValueError("--out must end in .csv or .xlsx")
    file_id = uuid.UUID(args.file_id)
    with _engine().connect() as connection:
        if not file_exists(connection, file_id):
            raise ValueError(f"no data file {file_id}")
        frame = export_frame(connection, file_id, history=args.history)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(
        to_xlsx_bytes(frame, sheet_name="verdicts") if out.suffix.lower() == ".xlsx" else to_csv_bytes(frame)
    )
    print(f"wrote {len(frame):,} verdicts to {out}")
    return 0


def add_review_commands(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="API users and their tokens").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="add a user and print their new API token (shown once)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.set_defaults(handler=cmd_users_add)
    revoke = users.add_parser("revoke", help="revoke a user's token at once")
    revoke.add_argument("name")
    revoke.set_defaults(handler=cmd_users_revoke)
    users.add_parser("list", help="every user, with role and revocation").set_defaults(handler=cmd_users_list)

    verdicts = commands.add_parser("verdicts", help="verdicts on a file's transactions or entries").add_subparsers(
        dest="verdicts_command", required=True
    )
    importing = verdicts.add_parser("import", help="import verdicts from a CSV (one per line)")
    importing.add_argument("csv", help="columns row_number, transaction_id or je_number; verdict; optional comment")
    importing.add_argument("--file-id", required=True)
    importing.add_argument(
        "--reviewer", default=IMPORT_REVIEWER, help=f"recorded as reviewer (default {IMPORT_REVIEWER})"
    )
    importing.set_defaults(handler=cmd_verdicts_import)
    export = verdicts.add_parser("export", help="write a file's verdicts (newest per target) to CSV or XLSX")
    export.add_argument("--file-id", required=True)
    export.add_argument("--out", required=True, help=".csv or .xlsx")
    export.add_argument("--history", action="store_true", help="every verdict, not only the newest per target")
    export.set_defaults(handler=cmd_verdicts_export)

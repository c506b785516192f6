"""Every setting FinTrace reads from the environment, with defaults that work out of the box.

Paths default to folders under ``var/`` in the project root, so a fresh checkout runs with
zero set-up on SQLite and a local Dagster instance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fintrace_pipeline.tokens import server_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"

MiB = 1024 * 1024


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    dagster_home: Path
    inbox_dir: Path
    archive_dir: Path
    max_upload_bytes: int
    max_decompressed_bytes: int
    max_rows: int
    api_token: str | None
    cors_origins: tuple[str, ...]
    sensor_max_files_per_tick: int
    country: str = "US"  # ISO 3166-1 alpha-2, optionally with a subdivision ("DE-BY"): the default calendar
    secret_key: str | None = None  # the key API tokens are hashed with; None: var/secret_key

    def analysis_options(self) -> dict[str, Any]:
        """The configured values of analysis options, by option name (a file's own choices win)."""
        return {"country": self.country}

    def token_key(self) -> bytes:
        """The key API tokens are hashed with (read, or made once, when first needed)."""
        return server_key(self.secret_key, self.var_dir)

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = _path("FINTRACE_VAR_DIR", PROJECT_ROOT / "var")
        database_url = os.environ.get("FINTRACE_DATABASE_URL") or f"sqlite:///{var_dir / 'fintrace.db'}"
        cors = os.environ.get("FINTRACE_CORS_ORIGINS", "")
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            dagster_home=_path("DAGSTER_HOME", var_dir / "dagster"),
            inbox_dir=_path("FINTRACE_INBOX", var_dir / "inbox"),
            archive_dir=_path("FINTRACE_ARCHIVE", var_dir / "archive"),
            max_upload_bytes=_int("FINTRACE_MAX_UPLOAD_MB", 512) * MiB,
            max_decompressed_bytes=_int("FINTRACE_MAX_DECOMPRESSED_MB", 2048) * MiB,
            max_rows=_int("FINTRACE_MAX_ROWS", 5_000_000),
            api_token=os.environ.get("FINTRACE_API_TOKEN") or None,
            cors_origins=tuple(o.strip() for o in cors.split(",") if o.strip()),
            sensor_max_files_per_tick=_int("FINTRACE_SENSOR_MAX_FILES_PER_TICK", 25),
            country=(os.environ.get("FINTRACE_COUNTRY") or "US").strip().upper(),
            secret_key=os.environ.get("FINTRACE_SECRET_KEY") or None,
        )


def get_settings() -> Settings:
    """Read the environment now (not at import), so tests and CLI flags can change it."""
    return Settings.from_env()

"""Every setting FinTrace reads from the environment, with defaults that work out of the box.

Paths default to folders under ``var/`` in the project root, so a fresh checkout runs with
zero set-up on SQLite and a local Dagster instance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fintrace_pipeline.analysis_choices import ChoiceError, Choices
from fintrace_pipeline.tokens import server_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"

MiB = 1024 * 1024

# Cell values that stand for "no value" in real exports: they count as missing, never as a vendor,
# a user or a description. Compared without case, accents, surrounding spaces or a final dot.
# FINTRACE_MISSING_VALUES adds to these (comma-separated).
DEFAULT_MISSING_VALUES = (
    "n/a",
    "n.a.",
    "na",
    "#n/a",
    "none",
    "null",
    "nil",
    "nan",
    "-",
    "--",
    "---",
    "—",
    "?",
    "unknown",
    "not applicable",
    "not available",
    "not known",
    "redacted",
    "redacted personal data",
    "personal data",
    "withheld",
    "third party",
    "third party supplier",
    "nao se aplica",
    "nao informado",
    "sigiloso",
    "k.a.",
    "keine angabe",
    "unbekannt",
    "non applicable",
    "non renseigne",
    "inconnu",
    "no aplica",
    "sin dato",
    "desconocido",
    "non disponibile",
    "sconosciuto",
    "n.v.t.",
    "onbekend",
)


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def _flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ValueError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {value!r}")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from exc


def _list(name: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in os.environ.get(name, "").split(",") if item.strip())


EXECUTORS = ("multiprocess", "celery")


def _one_of(name: str, allowed: tuple[str, ...], default: str) -> str:
    value = (os.environ.get(name) or default).strip().lower()
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _choice(name: str, choice: str) -> Choices:
    """The analysis choice an environment variable sets (none when it is unset or blank)."""
    try:
        return Choices.parse(**{choice: os.environ.get(name)})
    except ChoiceError as exc:
        raise ValueError(f"{name}: {exc}") from None


@dataclass(frozen=True)
class AlertSettings:
    """Where a failed run is reported: a webhook (JSON POST) and/or mail through an SMTP server."""

    webhook: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25  # 465: SMTP over TLS; otherwise STARTTLS when the server offers it
    smtp_user: str | None = None
    smtp_password: str | None = None
    mail_from: str | None = None
    mail_to: tuple[str, ...] = ()

    @property
    def mail(self) -> bool:
        return bool(self.smtp_host and self.mail_to)

    @classmethod
    def from_env(cls) -> AlertSettings:
        return cls(
            webhook=os.environ.get("FINTRACE_ALERT_WEBHOOK") or None,
            smtp_host=os.environ.get("FINTRACE_ALERT_SMTP_HOST") or None,
            smtp_port=_int("FINTRACE_ALERT_SMTP_PORT", 25),
            smtp_user=os.environ.get("FINTRACE_ALERT_SMTP_USER") or None,
            smtp_password=os.environ.get("FINTRACE_ALERT_SMTP_PASSWORD") or None,
            mail_from=os.environ.get("FINTRACE_ALERT_SMTP_FROM") or None,
            mail_to=_list("FINTRACE_ALERT_SMTP_TO"),
        )


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
    missing_values: tuple[str, ...] = DEFAULT_MISSING_VALUES
    country: str = "US"  # ISO 3166-1 alpha-2, optionally with a subdivision ("DE-BY"): the default calendar
    # The company's weekend days, business hours, approval limits and materiality, where configured.
    choices: Choices = field(default_factory=Choices)
    secret_key: str | None = None  # the key API tokens are hashed with; None: var/secret_key
    weekly_reports: bool = False  # the weekly report schedule starts switched on
    reports_dir: Path | None = None  # where scheduled reports are written; None: var/reports
    # Where the files every step reads live (archived originals, snapshots): a folder every machine
    # that runs steps mounts at the same path when steps run on workers elsewhere.
    shared_dir: Path | None = None
    executor: str = "multiprocess"  # where steps run: "multiprocess" (this machine) or "celery" (workers)
    # On this machine, a file holding less text than this runs its steps in the run's own process.
    steps_in_process_below_bytes: int = 32 * MiB
    celery_broker: str = "redis://127.0.0.1:6379/0"
    celery_backend: str | None = None  # None: the broker when it is Redis, else rpc://
    alerts: AlertSettings = field(default_factory=AlertSettings)

    @property
    def shared_root(self) -> Path:
        """The shared storage root (default: the var folder)."""
        return self.shared_dir or self.var_dir

    @property
    def reports_folder(self) -> Path:
        return self.reports_dir or self.var_dir / "reports"

    def celery_result_backend(self) -> str:
        if self.celery_backend:
            return self.celery_backend
        return self.celery_broker if self.celery_broker.startswith(("redis://", "rediss://")) else "rpc://"

    def analysis_options(self) -> dict[str, Any]:
        """The configured values of analysis options, by option name (a file's own choices win)."""
        return {"country": self.country, **self.choices.options(set_by="company")}

    def token_key(self) -> bytes:
        """The key API tokens are hashed with (read, or made once, when first needed)."""
        return server_key(self.secret_key, self.var_dir)

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = _path("FINTRACE_VAR_DIR", PROJECT_ROOT / "var")
        shared_dir = _path("FINTRACE_SHARED_DIR", var_dir)
        database_url = os.environ.get("FINTRACE_DATABASE_URL") or f"sqlite:///{var_dir / 'fintrace.db'}"
        cors = os.environ.get("FINTRACE_CORS_ORIGINS", "")
        return cls(
            var_dir=var_dir,
            database_url=database_url,
            dagster_home=_path("DAGSTER_HOME", var_dir / "dagster"),
            inbox_dir=_path("FINTRACE_INBOX", var_dir / "inbox"),
            archive_dir=_path("FINTRACE_ARCHIVE", shared_dir / "archive"),
            max_upload_bytes=_int("FINTRACE_MAX_UPLOAD_MB", 512) * MiB,
            max_decompressed_bytes=_int("FINTRACE_MAX_DECOMPRESSED_MB", 2048) * MiB,
            max_rows=_int("FINTRACE_MAX_ROWS", 5_000_000),
            api_token=os.environ.get("FINTRACE_API_TOKEN") or None,
            cors_origins=tuple(o.strip() for o in cors.split(",") if o.strip()),
            sensor_max_files_per_tick=_int("FINTRACE_SENSOR_MAX_FILES_PER_TICK", 25),
            missing_values=DEFAULT_MISSING_VALUES + _list("FINTRACE_MISSING_VALUES"),
            country=_choice("FINTRACE_COUNTRY", "country").country or "US",
            choices=Choices(
                weekend_days=_choice("FINTRACE_WEEKEND_DAYS", "weekend_days").weekend_days,
                business_hours=_choice("FINTRACE_BUSINESS_HOURS", "business_hours").business_hours,
                approval_limits=_choice("FINTRACE_APPROVAL_LIMITS", "approval_limits").approval_limits,
                materiality=_choice("FINTRACE_MATERIALITY", "materiality").materiality,
            ),
            secret_key=os.environ.get("FINTRACE_SECRET_KEY") or None,
            weekly_reports=_flag("FINTRACE_WEEKLY_REPORTS"),
            reports_dir=_path("FINTRACE_REPORTS_DIR", var_dir / "reports"),
            shared_dir=shared_dir,
            executor=_one_of("FINTRACE_EXECUTOR", EXECUTORS, "multiprocess"),
            steps_in_process_below_bytes=_int("FINTRACE_STEPS_IN_PROCESS_BELOW_MB", 32) * MiB,
            celery_broker=os.environ.get("FINTRACE_CELERY_BROKER") or "redis://127.0.0.1:6379/0",
            celery_backend=os.environ.get("FINTRACE_CELERY_BACKEND") or None,
            alerts=AlertSettings.from_env(),
        )


def get_settings() -> Settings:
    """Read the environment now (not at import), so tests and CLI flags can change it."""
    return Settings.from_env()

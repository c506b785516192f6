"""Registering uploaded files: content-addressed archive of the original plus its ``data_files`` row."""

from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from fintrace_pipeline.db.schema import data_files
from fintrace_pipeline.persistence.clock import utcnow
from fintrace_pipeline.persistence.records import DataFile
from fintrace_pipeline.sources import DEFAULT_SOURCE, validate_source

_HASH_CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def archive_path(archive_dir: Path, sha256: str, file_name: str) -> Path:
    suffixes = "".join(Path(file_name).suffixes[-2:]).lower()
    return archive_dir / sha256[:2] / f"{sha256}{suffixes}"


def archive_original(path: Path, archive_dir: Path, sha256: str) -> Path:
    """Copy the original under its hash (once); the archive never holds two copies of the same bytes."""
    target = archive_path(archive_dir, sha256, path.name)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex}.part")
        shutil.copyfile(path, partial)
        partial.replace(target)  # atomic: a reader never sees half a file
    return target


def find_by_sha256(connection: Connection, sha256: str) -> DataFile | None:
    row = connection.execute(select(data_files).where(data_files.c.sha256 == sha256)).first()
    return DataFile.from_row(row) if row else None


def get_data_file(connection: Connection, data_file_id: uuid.UUID) -> DataFile | None:
    row = connection.execute(select(data_files).where(data_files.c.id == data_file_id)).first()
    return DataFile.from_row(row) if row else None


class SourceConflict(ValueError):
    """The bytes are registered already, as a file of another source (a file belongs to one source)."""

    def __init__(self, data_file: DataFile, source: str):
        super().__init__(
            f"these bytes were registered before as data file {data_file.id} of source {data_file.source!r}, "
            f"not {source!r}"
        )
        self.data_file = data_file


def require_source(data_file: DataFile, source: str | None) -> DataFile:
    """``data_file`` when ``source`` (if named) is its source, else ``SourceConflict``."""
    if source is not None and data_file.source != source:
        raise SourceConflict(data_file, source)
    return data_file


def register_file(
    engine: Engine,
    path: Path,
    *,
    received_via: str,
    archive_dir: Path,
    source: str = DEFAULT_SOURCE,
    file_name: str | None = None,
    user_mapping: dict[str, str] | None = None,
    country: str | None = None,
    analysis_options: dict[str, Any] | None = None,
) -> tuple[DataFile, bool]:
    """Archive ``path`` and return its data file, plus whether it is new.

    ``country`` and ``analysis_options`` are the file's own calendar and limits (None: the configured
    ones). A byte-identical file registered earlier is recognised by its sha256 and returned as it is,
    its mapping, choices and source untouched (see ``set_user_mapping`` and ``set_analysis_choices``):
    earlier results were computed with those, and verdicts were recorded under that source.
    """
    validate_source(source)
    sha256 = sha256_of(path)
    with engine.begin() as connection:
        existing = find_by_sha256(connection, sha256)
    if existing:
        return existing, False
    stored = archive_original(path, archive_dir, sha256)
    now = utcnow()
    values = dict(
        id=uuid.uuid4(),
        file_name=(file_name or path.name)[:255],
        stored_path=str(stored),
        sha256=sha256,
        size_bytes=path.stat().st_size,
        received_via=received_via,
        source=source,
        user_mapping=user_mapping,
        country=country,
        analysis_options=analysis_options or None,
        created_at=now,
        updated_at=now,
    )
    try:
        with engine.begin() as connection:
            connection.execute(insert(data_files).values(**values))
            return get_data_file(connection, values["id"]), True
    except IntegrityError:
        # Another process registered the same bytes a moment ago: that row wins.
        with engine.begin() as connection:
            return find_by_sha256(connection, sha256), False


def set_user_mapping(engine: Engine, data_file_id: uuid.UUID, user_mapping: dict[str, str] | None) -> DataFile:
    """Replace the mapping the file's next ingest will use."""
    with engine.begin() as connection:
        connection.execute(
            update(data_files)
            .where(data_files.c.id == data_file_id)
            .values(user_mapping=user_mapping, updated_at=utcnow())
        )
        return get_data_file(connection, data_file_id)


def set_analysis_choices(
    engine: Engine, data_file_id: uuid.UUID, country: str | None, analysis_options: dict[str, Any] | None
) -> DataFile:
    """Replace the calendar and limits the file's next analyses will use."""
    with engine.begin() as connection:
        connection.execute(
            update(data_files)
            .where(data_files.c.id == data_file_id)
            .values(country=country, analysis_options=analysis_options or None, updated_at=utcnow())
        )
        return get_data_file(connection, data_file_id)


def record_ingest(connection: Connection, data_file_id: uuid.UUID, **values) -> None:
    """Store what ingest learned about the file (format, mapping used, row counts)."""
    connection.execute(update(data_files).where(data_files.c.id == data_file_id).values(**values, updated_at=utcnow()))

"""Watching the inbox folder: which files are complete and ready to be taken.

A file is complete once its size and modification time are unchanged across two looks (a writer
still appending changes one or both), or at once when it arrived by an atomic rename from a
temporary name (then it is complete by construction, and the first look may already take it when
its mtime is older than a settle period). Hidden and temporary files are never taken.

Files at the top of the inbox belong to the ``default`` source; a file in a subfolder named after a
source (``inbox/acme/ledger.csv``) belongs to that source. Subfolders are looked into one level
deep; a folder whose name is not a valid source name is left alone.

A complete file is *claimed* by renaming it into the hidden intake folder (``inbox/.intake/``, the
same subfolder below it), which costs the same for a file of any size; registering it (hashing,
archiving, its data file and job) happens later, and the file then moves on to ``processed/``. A
file is always in exactly one of these places, so nothing is lost or taken twice when a process
stops half-way.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from fintrace_pipeline.file_types import SUPPORTED_SUFFIXES
from fintrace_pipeline.sources import DEFAULT_SOURCE, is_source_name

TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".download", ".swp", ".lock")
PROCESSED_DIR = "processed"  # one of RESERVED_SOURCES: never read as a source's folder
INTAKE_DIR = ".intake"  # claimed files waiting to be registered (hidden: never read as a source)
# Files whose mtime is this old are complete already (a writer would have touched them since).
SETTLE_SECONDS = 30.0
# The cursor remembers at most this many not-yet-stable files; more simply wait for a later tick.
MAX_TRACKED = 2_000


def is_candidate(name: str) -> bool:
    lowered = name.lower()
    if name.startswith((".", "~", "_")) or lowered.endswith(TEMPORARY_SUFFIXES):
        return False
    return lowered.endswith(SUPPORTED_SUFFIXES)


@dataclass
class InboxState:
    """What the sensor remembers between ticks: (size, mtime_ns) of files seen but not yet taken."""

    seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    @classmethod
    def from_cursor(cls, cursor: str | None) -> InboxState:
        if not cursor:
            return cls()
        try:
            raw = json.loads(cursor)
            return cls({name: (int(v[0]), int(v[1])) for name, v in raw.get("seen", {}).items()})
        except (ValueError, TypeError, KeyError, IndexError):
            return cls()  # an unreadable cursor only costs one more look at each file

    def to_cursor(self) -> str:
        return json.dumps({"seen": {name: list(v) for name, v in sorted(self.seen.items())}})


def source_of(inbox: Path, path: Path) -> str:
    """The source a file taken from the inbox belongs to: its subfolder's name, or ``default``."""
    return DEFAULT_SOURCE if path.parent == inbox else path.parent.name


def _source_folders(inbox: Path) -> list[str]:
    """The subfolders named after a source (never ``processed``: it is no source name)."""
    with os.scandir(inbox) as listing:
        return [
            entry.name
            for entry in listing
            if entry.is_dir(follow_symlinks=False) and is_source_name(entry.name)
        ]


def _candidates(folder: Path, prefix: str) -> list[tuple[int, str, int]]:
    """(mtime_ns, name relative to the inbox, size) of every file in ``folder`` that may be taken."""
    found = []
    with os.scandir(folder) as listing:
        for entry in listing:
            if entry.is_file(follow_symlinks=False) and is_candidate(entry.name):
                stat = entry.stat(follow_symlinks=False)
                found.append((stat.st_mtime_ns, prefix + entry.name, stat.st_size))
    return found


def scan(inbox: Path, state: InboxState, limit: int, now: float | None = None) -> tuple[list[Path], InboxState]:
    """Up to ``limit`` complete files, oldest first, and the state to remember for the next look."""
    now = time.time() if now is None else now
    if not inbox.is_dir():
        return [], InboxState()
    entries = _candidates(inbox, "")
    for source in _source_folders(inbox):
        entries += _candidates(inbox / source, f"{source}/")
    entries.sort()
    ready: list[Path] = []
    seen: dict[str, tuple[int, int]] = {}
    for mtime_ns, name, size in entries:
        observed = (size, mtime_ns)
        settled = now - mtime_ns / 1e9 >= SETTLE_SECONDS
        unchanged = state.seen.get(name) == observed
        # An empty file may be one whose writer has not started yet: only a settled one is taken.
        if ((unchanged and size > 0) or settled) and len(ready) < limit:
            ready.append(inbox / name)
        elif len(seen) < MAX_TRACKED:
            seen[name] = observed
    return ready, InboxState(seen)


def _unique(target_dir: Path, name: str) -> Path:
    target = target_dir / name
    stem, suffix = Path(name).stem, Path(name).suffix
    counter = 1
    while target.exists():
        target = target_dir / f"{stem}.{counter}{suffix}"
        counter += 1
    return target


def move_to_processed(path: Path, folder: Path | None = None) -> Path:
    """Move a taken file into ``processed/<date>/`` of ``folder`` (default: beside it), never deleted,
    keeping every name unique."""
    target_dir = (folder or path.parent) / PROCESSED_DIR / time.strftime("%Y-%m-%d")
    target_dir.mkdir(parents=True, exist_ok=True)
    target = _unique(target_dir, path.name)
    shutil.move(str(path), str(target))
    return target


def intake_dir(inbox: Path) -> Path:
    return inbox / INTAKE_DIR


def claim(inbox: Path, path: Path) -> Path:
    """Rename a complete file of the inbox into the intake folder (the same subfolder below it)."""
    target_dir = intake_dir(inbox) / path.parent.relative_to(inbox)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = _unique(target_dir, path.name)
    os.replace(path, target)  # one rename on the same file system: the file is in one place or the other
    return target


def claimed_files(inbox: Path, limit: int) -> list[Path]:
    """Up to ``limit`` claimed files, oldest claim first."""
    intake = intake_dir(inbox)
    if not intake.is_dir():
        return []
    entries = _candidates(intake, "")
    for source in _source_folders(intake):
        entries += _candidates(intake / source, f"{source}/")
    return [intake / name for _, name, _ in sorted(entries)[:limit]]


def has_claimed_files(inbox: Path) -> bool:
    return bool(claimed_files(inbox, 1))


def origin_folder(inbox: Path, claimed: Path) -> Path:
    """The inbox folder a claimed file was dropped into (its ``processed/`` folder is kept there)."""
    return inbox / claimed.parent.relative_to(intake_dir(inbox))

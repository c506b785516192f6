"""Receiving an uploaded file: multipart parsed as it streams in, written straight to a hidden
temporary file in the inbox folder, size limit enforced on the fly, never held in memory."""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header
from starlette.requests import ClientDisconnect, Request

from fintrace_pipeline.analysis_choices import ChoiceError, Choices
from fintrace_pipeline.api.errors import ApiError, BadRequest
from fintrace_pipeline.file_types import SUPPORTED_SUFFIXES as ACCEPTED_SUFFIXES
from fintrace_pipeline.sources import MAX_SOURCE_LENGTH, InvalidSource, validate_source

FILE_FIELD = "file"
MAPPING_FIELD = "mapping"
SOURCE_FIELD = "source"
KIND_FIELD = "kind"  # of a reference list
MAX_KIND_LENGTH = 40
MAX_MAPPING_BYTES = 64 * 1024
# The file's own calendar and limits, as ``analysis_choices`` reads them.
CHOICE_FIELDS = ("country", "weekend_days", "business_hours", "approval_limits", "materiality")
MAX_CHOICE_BYTES = 1024
MAX_NAME_LENGTH = 150
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize_file_name(supplied: str) -> str:
    """A safe base name: no directories, only ``[A-Za-z0-9._-]``, no leading dot, bounded length.

    Both separators count (a Windows client sends ``C:\\dir\\file.csv``), so no path traversal can
    survive, and the name can never be hidden from (or mistaken as temporary by) the inbox sensor.
    """
    base = re.split(r"[\\/]", supplied)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).lstrip("._-~")
    base = re.sub(r"\.{2,}", ".", base)
    if len(base) > MAX_NAME_LENGTH:
        suffix = "".join(Path(base).suffixes[-2:])[-20:]
        base = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
    return base or "upload"


def accepted_suffix(file_name: str) -> bool:
    return file_name.lower().endswith(ACCEPTED_SUFFIXES)


@dataclass
class ReceivedUpload:
    temp_path: Path
    file_name: str
    size_bytes: int
    mapping: dict[str, str] | None
    choices: Choices = field(default_factory=Choices)
    source: str | None = None  # as the form named it; None: the file's own, or default for a new one
    kind: str | None = None  # a reference list's kind, as the form named it


@dataclass
class _PartState:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_field: bytes = b""
    header_value: bytes = b""
    name: str | None = None
    file_name: str | None = None


class _UploadReceiver:
    """python-multipart callbacks that route the ``file`` part to disk and keep the ``mapping`` text."""

    def __init__(self, temp_path: Path, max_bytes: int):
        self.temp_path = temp_path
        self.max_bytes = max_bytes
        self.part = _PartState()
        self.handle: BinaryIO | None = None
        self.file_name: str | None = None
        self.size = 0
        self.mapping_text = bytearray()
        self.choice_texts: dict[str, bytearray] = {}
        self.source_text = bytearray()
        self.kind_text = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_header_field": lambda data, start, end: self._append("header_field", data[start:end]),
            "on_header_value": lambda data, start, end: self._append("header_value", data[start:end]),
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
        }

    def _append(self, attribute: str, chunk: bytes) -> None:
        setattr(self.part, attribute, getattr(self.part, attribute) + chunk)

    def on_part_begin(self) -> None:
        self.part = _PartState()

    def on_header_end(self) -> None:
        self.part.headers[self.part.header_field.lower()] = self.part.header_value
        self.part.header_field = self.part.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.part.headers.get(b"content-disposition", b""))
        self.part.name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in options:
            self.part.file_name = options[b"filename"].decode("utf-8", "replace")
        if self.part.name == FILE_FIELD:
            if self.handle is not None:
                raise BadRequest("only one file per upload")
            name = sanitize_file_name(self.part.file_name or "")
            if not accepted_suffix(name):
                # Refused before a byte of the body is stored.
                raise ApiError(415, f"unsupported file type; accepted: {', '.join(ACCEPTED_SUFFIXES)}")
            self.file_name = name
            self.handle = self.temp_path.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.part.name == FILE_FIELD and self.handle is not None:
            self.size += end - start
            if self.size > self.max_bytes:
                raise ApiError(413, f"the file exceeds the upload limit of {self.max_bytes} bytes")
            self.handle.write(data[start:end])
        elif self.part.name == MAPPING_FIELD:
            self.mapping_text += data[start:end]
            if len(self.mapping_text) > MAX_MAPPING_BYTES:
                raise BadRequest("mapping is too large")
        elif self.part.name in CHOICE_FIELDS:
            text = self.choice_texts.setdefault(self.part.name, bytearray())
            text += data[start:end]
            if len(text) > MAX_CHOICE_BYTES:
                raise BadRequest(f"{self.part.name} is too long")
        elif self.part.name == SOURCE_FIELD:
            self.source_text += data[start:end]
            if len(self.source_text) > MAX_SOURCE_LENGTH * 4:
                raise BadRequest(f"source must be at most {MAX_SOURCE_LENGTH} characters")
        elif self.part.name == KIND_FIELD:
            self.kind_text += data[start:end]
            if len(self.kind_text) > MAX_KIND_LENGTH:
                raise BadRequest(f"kind must be at most {MAX_KIND_LENGTH} characters")

    def on_part_end(self) -> None:
        if self.part.name == FILE_FIELD and self.handle is not None:
            self.handle.flush()

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    if content_type != b"multipart/form-data" or not options.get(b"boundary"):
        raise BadRequest("expected a multipart/form-data body with a 'file' field")
    return options[b"boundary"]


def parse_mapping(text: bytes) -> dict[str, str] | None:
    if not text.strip():
        return None
    try:
        mapping = json.loads(text)
    except ValueError:
        raise BadRequest("mapping must be a JSON object of canonical column -> source column") from None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise BadRequest("mapping must be a JSON object of canonical column -> source column")
    for text_value in (*mapping.keys(), *mapping.values()):
        if not _storable(text_value):
            raise BadRequest("mapping must not contain NUL characters or unpaired surrogates")
    return mapping


def parse_choices(texts: dict[str, bytearray]) -> Choices:
    """The upload's calendar and limit fields; a value that cannot be used answers 400 saying why."""
    try:
        decoded = {name: bytes(text).decode("utf-8") for name, text in texts.items()}
    except UnicodeDecodeError:
        raise BadRequest("the calendar and limit fields must be UTF-8 text") from None
    if not all(_storable(text) for text in decoded.values()):
        raise BadRequest("the calendar and limit fields must not contain NUL characters")
    try:
        return Choices.parse(**decoded)
    except ChoiceError as exc:
        raise BadRequest(str(exc)) from None


def parse_source(text: bytes) -> str | None:
    name = text.decode("utf-8", "replace").strip()
    if not name:
        return None
    try:
        return validate_source(name)
    except InvalidSource as exc:
        raise BadRequest(str(exc)) from None


def _storable(value: str) -> bool:
    """Whether a JSON database column can hold ``value`` (JSONB refuses U+0000; UTF-8 refuses lone surrogates)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


async def receive_upload(request: Request, inbox_dir: Path, max_bytes: int) -> ReceivedUpload:
    """Stream the request's ``file`` part to a hidden temporary file in ``inbox_dir``.

    Any failure (too large, wrong type, malformed body, client gone) removes the partial file.
    """
    boundary = _boundary(request)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes + MAX_MAPPING_BYTES + 64 * 1024:
        raise ApiError(413, f"the file exceeds the upload limit of {max_bytes} bytes")
    inbox_dir.mkdir(parents=True, exist_ok=True)
    # Hidden and ``.part``: the inbox sensor never takes it while it is being written.
    temp_path = inbox_dir / f".upload-{uuid.uuid4().hex}.part"
    receiver = _UploadReceiver(temp_path, max_bytes)
    parser = MultipartParser(boundary, receiver.callbacks())
    received = False
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
        receiver.close()
        if receiver.file_name is None:
            raise BadRequest("the upload has no 'file' field")
        mapping = parse_mapping(bytes(receiver.mapping_text))
        choices = parse_choices(receiver.choice_texts)
        source = parse_source(bytes(receiver.source_text))
        kind = bytes(receiver.kind_text).decode("utf-8", "replace").strip() or None
        upload = ReceivedUpload(temp_path, receiver.file_name, receiver.size, mapping, choices, source, kind)
        received = True
        return upload
    except (ValueError, ClientDisconnect) as exc:
        # python-multipart's parse errors are ValueErrors.
        raise BadRequest("malformed multipart body") from exc
    finally:
        if not received:
            receiver.close()
            temp_path.unlink(missing_ok=True)

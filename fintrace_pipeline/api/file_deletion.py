"""``DELETE /api/files/{id}``: the file deleted under the caller's name, its refusals as API errors."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine

from fintrace_pipeline.api.errors import ApiError, NotFound
from fintrace_pipeline.file_deletion import delete_file
from fintrace_pipeline.persistence.file_deletion import FileInUse, FileNotFound
from fintrace_pipeline.runtime.instance import get_instance
from fintrace_pipeline.settings import Settings


def delete_data_file(settings: Settings, engine: Engine, data_file_id: uuid.UUID, actor: str) -> dict:
    try:
        with get_instance(settings) as instance:
            return delete_file(engine, instance, settings, data_file_id, actor).answer()
    except FileNotFound as exc:
        raise NotFound(str(exc)) from None
    except FileInUse as exc:
        raise ApiError(409, str(exc)) from None

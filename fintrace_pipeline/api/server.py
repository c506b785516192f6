"""Running the API under uvicorn."""

from __future__ import annotations

import uvicorn

from fintrace_pipeline.api.app import create_app
from fintrace_pipeline.settings import get_settings


def serve(host: str = "127.0.0.1", port: int = 8000, log_level: str = "info") -> None:
    """Serve the API for the settings in the environment (one process; the handlers are async)."""
    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level=log_level)

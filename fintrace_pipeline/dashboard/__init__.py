"""The results dashboard: static pages served by the API app. Everything they show comes from the
public ``/api/`` endpoints; the charts use the plotly.min.js that plotly's Python package ships."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
# Located without importing plotly: only the file is needed.
PLOTLY_JS = Path(importlib.util.find_spec("plotly").submodule_search_locations[0]) / "package_data" / "plotly.min.js"


async def page(request: Request) -> Response:
    # One page for the list and for every file's view; the script reads the path.
    return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})


async def plotly_js(request: Request) -> Response:
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "public, max-age=86400"})


ROUTES = [
    Route("/", page, methods=["GET"], include_in_schema=False),
    Route("/files/{data_file_id}", page, methods=["GET"], include_in_schema=False),
    Route("/sources/{source}", page, methods=["GET"], include_in_schema=False),
    Route("/static/vendor/plotly.min.js", plotly_js, methods=["GET"], include_in_schema=False),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
]

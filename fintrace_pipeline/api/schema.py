"""The OpenAPI document, generated from the route docstrings (the YAML after ``---``).

Every ``/api/`` operation gets the bearer security requirement and its 401 answer here, in one
place, as the token middleware guards exactly those paths.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

from fintrace_pipeline.api.auth import PROTECTED_PREFIX
from fintrace_pipeline.api.openapi_shapes import PARAMETERS, SCHEMAS

_ERROR = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {"success": {"type": "boolean", "enum": [False]}, "error": {"type": "string"}},
}


def _error_response(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


BASE_SCHEMA: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {
        "title": "FinTrace API",
        "version": "1.0",
        "description": "Stored analytics, ML results, progress and findings of processed ledger files. "
        "When FINTRACE_API_TOKEN is set, every /api/ route needs `Authorization: Bearer <token>`.",
    },
    "components": {
        "schemas": {
            "Error": _ERROR,
            "Success": {
                "type": "object",
                "required": ["success"],
                "properties": {"success": {"type": "boolean", "enum": [True]}},
            },
            **SCHEMAS,
        },
        "responses": {
            "BadRequest": _error_response("Missing or malformed parameter"),
            "Unauthorized": _error_response("FINTRACE_API_TOKEN is set and the bearer token is missing or wrong"),
            "NotFound": _error_response("Unknown file or job"),
            "Conflict": _error_response("The same bytes were uploaded before and processed with another mapping"),
            "TooLarge": _error_response("The upload exceeds FINTRACE_MAX_UPLOAD_MB"),
            "UnsupportedType": _error_response("The file name has none of the accepted suffixes"),
            "Unavailable": _error_response("The database is unreachable"),
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


def _inline_shared_parameters(paths: dict[str, Any]) -> None:
    """Docstrings name shared parameters by ``$ref``; the document spells each one out in place."""
    prefix = "#/components/parameters/"
    for operations in paths.values():
        for operation in operations.values():
            if "parameters" in operation:
                operation["parameters"] = [
                    dict(PARAMETERS[p["$ref"].removeprefix(prefix)]) if "$ref" in p else p
                    for p in operation["parameters"]
                ]


def _protect(paths: dict[str, Any]) -> None:
    for path, operations in paths.items():
        if not path.startswith(PROTECTED_PREFIX):
            continue
        for operation in operations.values():
            operation["security"] = [{"bearer": []}]
            operation.setdefault("responses", {})["401"] = {"$ref": "#/components/responses/Unauthorized"}


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    document = SchemaGenerator(BASE_SCHEMA).get_schema(routes)
    _inline_shared_parameters(document.get("paths", {}))
    _protect(document.get("paths", {}))
    return document

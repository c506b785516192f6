"""The OpenAPI document, generated from the route docstrings (the YAML after ``---``)."""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

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
        },
        "responses": {
            "BadRequest": _error_response("Missing or malformed parameter"),
            "NotFound": _error_response("Unknown file or job"),
            "Unavailable": _error_response("The database is unreachable"),
            "Error": _error_response("The request was refused"),
        },
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
    },
}


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    return SchemaGenerator(BASE_SCHEMA).get_schema(routes)

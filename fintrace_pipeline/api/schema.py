"""The OpenAPI document, generated from the route docstrings (the YAML after ``---``).

Every ``/api/`` operation gets the bearer security requirement and its 401 answer here, in one
place, as the authentication middleware guards exactly those paths; an operation whose permission
needs more than a viewer also gets its 403 answer, naming the least role.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

from fintrace_pipeline.api.access import required_permission
from fintrace_pipeline.api.auth import PROTECTED_PREFIX
from fintrace_pipeline.api.openapi_shapes import PARAMETERS, SCHEMAS
from fintrace_pipeline.roles import VIEWER

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
        "description": "Stored analytics, ML results, progress, findings and verdicts of processed ledger "
        "files. Every /api/ route needs `Authorization: Bearer <token>` (a user's token, or "
        "FINTRACE_API_TOKEN) once a user exists or FINTRACE_API_TOKEN is set; until then the API is open. "
        "Viewers read; reviewers also upload files and record verdicts; admins also read the audit log.",
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
            "Unauthorized": _error_response("The bearer token is missing, unknown or revoked"),
            "NotFound": _error_response("Unknown file or job"),
            "Conflict": _error_response(
                "The same bytes were uploaded before and processed with another mapping, or belong to another source"
            ),
            "TooLarge": _error_response("The upload exceeds FINTRACE_MAX_UPLOAD_MB"),
            "BodyTooLarge": _error_response("The request body exceeds its limit"),
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


def _protect(paths: dict[str, Any], generator: SchemaGenerator, routes: list[BaseRoute]) -> None:
    endpoints = {(e.path, e.http_method): e.func for e in generator.get_endpoints(routes)}
    for path, operations in paths.items():
        if not path.startswith(PROTECTED_PREFIX):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            operation["security"] = [{"bearer": []}]
            responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
            permission = required_permission(endpoints[(path, method)])
            if permission.least_role != VIEWER:
                responses["403"] = _error_response(
                    f"The token's role is below {permission.least_role}, the least role for {permission.description}"
                )


def openapi_document(routes: list[BaseRoute]) -> dict[str, Any]:
    generator = SchemaGenerator(BASE_SCHEMA)
    document = generator.get_schema(routes)
    _inline_shared_parameters(document.get("paths", {}))
    _protect(document.get("paths", {}), generator, routes)
    return document

"""What the error handling does, said in a service's OpenAPI document."""

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from shared.errors._hierarchy import ServiceError
from shared.errors._spanish import REQUIRED_FIELD
from shared.errors._style import ErrorStyle


def documented(*errors: type[ServiceError]) -> dict[int | str, dict[str, Any]]:
    """`responses=documented(InvalidCredentials)`: a route's own refusals, for its OpenAPI document.

    The gateway adds the ones every route may give (401, 403, 404, 413, 429, 503) by itself.
    """
    return {error.status_code: {"description": error.message} for error in errors}


_EXAMPLES = {
    ErrorStyle.AGENT: {"error": {"code": "INVALID_REQUEST", "message": "Datos inválidos.", "details": {}}},
    ErrorStyle.DESK: {"username": [REQUIRED_FIELD]},
    ErrorStyle.AGRO: {"detail": "Datos inválidos.", "nombre": [REQUIRED_FIELD]},
}


def document_validation_status(app: FastAPI, style_of: Callable[[str], ErrorStyle]) -> None:
    """FastAPI documents 422 for every body; routes in a seed style answer 400: say so."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = build()
        for path, operations in schema.get("paths", {}).items():
            style = style_of(path)
            if style is ErrorStyle.FASTAPI:
                # FastAPI's own way: 422 for invalid data, 400 for a body that is not JSON at all.
                for operation in operations.values():
                    if "requestBody" in operation:
                        operation.get("responses", {}).setdefault("400", {"description": "Cuerpo ilegible"})
                continue
            for operation in operations.values():
                responses = operation.get("responses", {})
                if responses.pop("422", None) is not None:
                    responses["400"] = {
                        "description": "Datos inválidos",
                        "content": {"application/json": {"example": _EXAMPLES[style]}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]

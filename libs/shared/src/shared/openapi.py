"""Fixes to the OpenAPI document FastAPI writes, for every service (and so the gateway's merge).

FastAPI passes the document through its `OpenAPI` model, whose `maximum`/`minimum` are floats:
`le=INT64_MAX` comes out as `9.223372036854776e+18`, a float that is not even the bound
(2**63, one past it). Integer schemas get their bounds back as integers.
"""

from typing import Any

from fastapi import FastAPI

from shared.validation import INT32_MAX, INT64_MAX

__all__ = ["integer_bounds", "serve_integer_bounds"]

_BOUNDS = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf")
# Bounds beyond 2**53 that a float cannot hold: the float FastAPI wrote, and the integer it was.
_EXACT = {float(value): value for value in (INT64_MAX, -INT64_MAX - 1, INT32_MAX, -INT32_MAX - 1)}


def _is_integer_schema(node: dict[str, Any]) -> bool:
    kind = node.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


def integer_bounds(node: Any) -> Any:
    """`node` (a document or any part of it) with integer schemas' float bounds made integers, in place."""
    if isinstance(node, dict):
        if _is_integer_schema(node):
            for key in _BOUNDS:
                value = node.get(key)
                if isinstance(value, float) and value.is_integer():
                    node[key] = _EXACT.get(value, int(value))
        for value in node.values():
            integer_bounds(value)
    elif isinstance(node, list):
        for item in node:
            integer_bounds(item)
    return node


def serve_integer_bounds(app: FastAPI) -> None:
    """`app.openapi()` with `integer_bounds` applied once, when the document is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        cached = app.openapi_schema
        schema = build()
        return schema if schema is cached else integer_bounds(schema)

    app.openapi = openapi  # type: ignore[method-assign]

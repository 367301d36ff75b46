"""Fixes to the OpenAPI document FastAPI writes, for every service (and so the gateway's merge).

FastAPI passes the document through its `OpenAPI` model, whose `maximum`/`minimum` are floats:
`le=INT64_MAX` comes out as `9.223372036854776e+18`, a float that is not even the bound
(2**63, one past it). Integer schemas get their bounds back as integers.

It also drops every null from the document (`exclude_none`), examples included: a task's
example loses `"deleted_at": null`, and its own schema then refuses it. A required nullable
property missing from an example gets its null back.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared.validation import INT32_MAX, INT64_MAX

__all__ = ["example_nulls", "integer_bounds", "operation_id", "serve_integer_bounds"]

_BOUNDS = ("maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf")
# Bounds beyond 2**53 that a float cannot hold: the float FastAPI wrote, and the integer it was.
_EXACT = {float(value): value for value in (INT64_MAX, -INT64_MAX - 1, INT32_MAX, -INT32_MAX - 1)}


def operation_id(route: APIRoute) -> str:
    """An operation's id: the endpoint function's name (`list_crops`), not FastAPI's default
    `list_crops_api_cultivos__get`; generated clients name their methods after it. Unique across
    the suite (tests/test_api_document.py); FastAPI's `generate_unique_id_function`."""
    return route.name


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


_REF = "#/components/schemas/"


def _nullable(schema: dict[str, Any], schemas: dict[str, Any]) -> bool:
    schema = schemas.get(schema.get("$ref", "").removeprefix(_REF), schema)
    kind = schema.get("type")
    return (
        kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or any(_nullable(option, schemas) for option in schema.get("anyOf", []))
    )


def _with_nulls(value: Any, schema: dict[str, Any], schemas: dict[str, Any]) -> None:
    schema = schemas.get(schema.get("$ref", "").removeprefix(_REF), schema)
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value and _nullable(properties.get(name, {}), schemas):
                value[name] = None
        for name, nested in properties.items():
            if name in value:
                _with_nulls(value[name], nested, schemas)
        # In the schema's order (pydantic sorted the example's keys): as a client reads the model.
        ordered = {name: value[name] for name in properties if name in value} | value
        value.clear()
        value.update(ordered)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            _with_nulls(item, schema["items"], schemas)


def example_nulls(document: dict[str, Any]) -> dict[str, Any]:
    """`document` with the nulls FastAPI dropped from its schemas' and media types' examples put
    back (a required nullable property missing from an example), and their keys in the schema's
    order, in place."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    for schema in schemas.values():
        for example in schema.get("examples", []):
            _with_nulls(example, schema, schemas)
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody", {}), *operation.get("responses", {}).values()]
            for media in (m for body in bodies for m in body.get("content", {}).values()):
                if "example" in media:
                    _with_nulls(media["example"], media.get("schema", {}), schemas)
    return document


def serve_integer_bounds(app: FastAPI) -> None:
    """`app.openapi()` with `integer_bounds` and `example_nulls` applied once, when the document
    is first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        cached = app.openapi_schema
        schema = build()
        return schema if schema is cached else example_nulls(integer_bounds(schema))

    app.openapi = openapi  # type: ignore[method-assign]

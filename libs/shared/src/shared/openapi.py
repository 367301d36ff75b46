"""Fixes to the OpenAPI document FastAPI writes, for every service (and so the gateway's merge).

FastAPI passes the document through its `OpenAPI` model, whose `maximum`/`minimum` are floats:
`le=INT64_MAX` comes out as `9.223372036854776e+18`, a float that is not even the bound
(2**63, one past it). Integer schemas get their bounds back as integers.

It also drops every null from the documented examples (`exclude_none` on the whole document), so
an example of a required nullable field (`"next": null`) no longer validates against its own
schema; the examples get their nulls back from the models and routes they were written on.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import TypeAdapter

from shared.validation import INT32_MAX, INT64_MAX

__all__ = ["integer_bounds", "null_examples", "serve_integer_bounds"]

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


def _without_nulls(value: Any) -> Any:
    """What FastAPI's encoder leaves of an example: dict entries that are None dropped."""
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value]
    return value


def _examples_in(node: Any, found: list[Any]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("examples"), list):
            found.extend(node["examples"])
        if "example" in node:
            found.append(node["example"])
        for value in node.values():
            _examples_in(value, found)
    elif isinstance(node, list):
        for item in node:
            _examples_in(item, found)


def _written_examples(app: FastAPI) -> list[Any]:
    """Every example as written: on the routes' body and answer models, and in their `responses`
    and `openapi_extra`."""
    found: list[Any] = []
    for context in iter_route_contexts(app.routes):  # included routers' routes too
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        types = [route.response_model, *(param.field_info.annotation for param in route.dependant.body_params)]
        for kind in types:
            if kind is not None:
                for mode in ("validation", "serialization"):
                    _examples_in(TypeAdapter(kind).json_schema(mode=mode), found)
        _examples_in(route.responses, found)
        _examples_in(route.openapi_extra, found)
    return found


def null_examples(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """`document` (`app`'s) with its examples' nulls put back, in place."""
    written = {repr(_without_nulls(example)): example for example in _written_examples(app)}

    def restore(value: Any) -> Any:
        return written.get(repr(value), value)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("examples"), list):
                node["examples"] = [restore(example) for example in node["examples"]]
            if "example" in node:
                node["example"] = restore(node["example"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(document)
    return document


def serve_integer_bounds(app: FastAPI) -> None:
    """`app.openapi()` with `integer_bounds` and `null_examples` applied once, when the document is
    first built."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        cached = app.openapi_schema
        schema = build()
        return schema if schema is cached else integer_bounds(null_examples(app, schema))

    app.openapi = openapi  # type: ignore[method-assign]

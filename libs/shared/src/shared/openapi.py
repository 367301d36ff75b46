"""Fixes to the OpenAPI document FastAPI writes, for every service (and so the gateway's merge).

FastAPI passes the document through its `OpenAPI` model, whose `maximum`/`minimum` are floats:
`le=INT64_MAX` comes out as `9.223372036854776e+18`, a float that is not even the bound
(2**63, one past it). Integer schemas get their bounds back as integers.

It also drops every null from the documented examples (`exclude_none` on the whole document), so
an example of a required nullable field (`"next": null`) no longer validates against its own
schema; the examples get their nulls back from the models and routes they were written on.
"""

import json
from typing import Any, get_args

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from shared.validation import INT32_MAX, INT64_MAX

__all__ = ["integer_bounds", "null_examples", "operation_id", "serve_integer_bounds"]

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


def operation_id(route: APIRoute) -> str:
    """An operation's id: the endpoint function's name (`list_crops`), not FastAPI's default
    `list_crops_api_cultivos__get`; generated clients name their methods after it. Unique across
    the suite (tests/test_api_document.py); FastAPI's `generate_unique_id_function`."""
    return route.name


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


def _models(annotation: Any, seen: set[type[BaseModel]]) -> None:
    """The pydantic models in `annotation` (`list[X]`, `Page[X]`, `X | None`, ...) and in their fields."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models(field.annotation, seen)
    for argument in get_args(annotation):
        _models(argument, seen)


def _model_examples(model: type[BaseModel]) -> list[Any]:
    extra = model.model_config.get("json_schema_extra")
    if callable(extra):  # it writes them into the schema it is given (`shared.pagination.Page`'s)
        schema: dict[str, Any] = {}
        extra(schema, model)  # type: ignore[call-arg]
        extra = schema
    examples = extra.get("examples") if isinstance(extra, dict) else None
    return list(examples) if isinstance(examples, list) else []


def _written_examples(app: FastAPI) -> list[Any]:
    """Every example as written: on the routes' body and answer models (and the models inside
    them), and in their `responses` and `openapi_extra`. Read from the models, not rebuilt as
    JSON schemas: the document is built once more per model otherwise."""
    found: list[Any] = []
    models: set[type[BaseModel]] = set()
    for context in iter_route_contexts(app.routes):  # included routers' routes too
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        _models(route.response_model, models)
        for param in route.dependant.body_params:
            _models(param.field_info.annotation, models)
        _examples_in(route.responses, found)
        _examples_in(route.openapi_extra, found)
    for model in models:
        found.extend(_model_examples(model))
    return found


def _key(example: Any) -> str:
    # Key order aside: pydantic writes a schema's examples with their keys sorted.
    return json.dumps(example, sort_keys=True, default=str)


def null_examples(app: FastAPI, document: dict[str, Any]) -> dict[str, Any]:
    """`document` (`app`'s) with its examples as written, nulls and key order, in place."""
    written = {_key(_without_nulls(example)): example for example in _written_examples(app)}

    def restore(value: Any) -> Any:
        return written.get(_key(value), value)

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

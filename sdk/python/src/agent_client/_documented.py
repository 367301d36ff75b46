"""What each operation documents it takes, from the gateway's merged OpenAPI document:
`documented.json` maps "METHOD path" to its query parameters and its JSON body's properties
(`null`: a free-form body, not checked). `Endpoint` refuses keywords outside it before any
request. The SDK's tests keep the file equal to the gateway's document; to write it again:
`SDK_WRITE_DOCUMENTED=1 pytest sdk/python/tests -k every_documented`."""

import json
from functools import cache
from importlib.resources import files
from typing import Any

FILE = "documented.json"


def table_of(document: dict[str, Any]) -> dict[str, dict[str, list[str] | None]]:
    """{"POST /api/parcelas/": {"query": [...], "body": [...] or None}} of every operation."""
    table: dict[str, dict[str, list[str] | None]] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            query = sorted(p["name"] for p in _parameters(document, item, operation) if p.get("in") == "query")
            content = _resolved(document, operation.get("requestBody", {})).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            body = None if schema is None else _properties(document, schema)
            table[f"{method.upper()} {path}"] = {"query": query, "body": body}
    return dict(sorted(table.items()))


@cache
def documented() -> dict[str, dict[str, list[str] | None]]:
    data: dict[str, dict[str, list[str] | None]] = json.loads(files("agent_client").joinpath(FILE).read_text())
    return data


def _parameters(document: dict[str, Any], item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    return [_resolved(document, p) for p in [*item.get("parameters", []), *operation.get("parameters", [])]]


def _resolved(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _properties(document: dict[str, Any], schema: dict[str, Any]) -> list[str] | None:
    """The property names a body may have, or None when any are accepted (or unknowable)."""
    schema = _resolved(document, schema)
    branches = [*schema.get("allOf", []), *schema.get("anyOf", []), *schema.get("oneOf", [])]
    names: set[str] = set(schema.get("properties", {}))
    if not branches and (schema.get("additionalProperties") not in (None, False) or "properties" not in schema):
        return None
    for branch in branches:
        resolved = _resolved(document, branch)
        if resolved.get("type") == "null":
            continue
        inner = _properties(document, resolved)
        if inner is None:
            return None
        names.update(inner)
    return sorted(names)

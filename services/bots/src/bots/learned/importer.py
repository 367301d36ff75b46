"""OpenAPI 3.x and Swagger 2 documents turned into tools: one per operation, its parameters
(path-level ones included, an operation's own overriding them) and its JSON body gathered
into one JSON-Schema object. Local `$ref`s are resolved and `allOf` merged."""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from shared.errors import InvalidRequest

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
MAX_DEPTH = 12


class InvalidDocument(InvalidRequest):
    code = "INVALID_API_DOCUMENT"
    message = "El documento no es un OpenAPI 3 ni un Swagger 2 válido."


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    summary: str
    parameters: dict[str, Any]  # a JSON-Schema object: the tool's parameters
    locations: dict[str, str]  # parameter -> path | query | header | body


@dataclass(frozen=True)
class Learned:
    title: str
    base_url: str | None
    operations: list[Operation]


class _Resolver:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def pointer(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise InvalidDocument(f"Solo se admiten $ref locales: '{ref}'.")
        node: Any = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                raise InvalidDocument(f"$ref sin destino: '{ref}'.")
            node = node[part]
        return node

    def resolve(self, node: Any, depth: int = 0) -> Any:
        """`node` with its `$ref`s followed and `allOf`s merged (cycles cut at MAX_DEPTH)."""
        if depth > MAX_DEPTH:
            return {}
        if isinstance(node, list):
            return [self.resolve(item, depth + 1) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.resolve(self.pointer(str(node["$ref"])), depth + 1)
        resolved = {key: self.resolve(value, depth + 1) for key, value in node.items()}
        if "allOf" in resolved:
            parts = resolved.pop("allOf")
            merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
            for part in [*parts, resolved]:
                merged["properties"].update(part.get("properties", {}))
                merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
                merged.update({k: v for k, v in part.items() if k not in ("properties", "required", "type")})
            return merged
        return resolved


def _tool_name(operation: dict[str, Any], method: str, path: str) -> str:
    raw = operation.get("operationId") or f"{method}_{path}"
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_-]", "_", str(raw))).strip("_")[:64] or method


def _schema_of(parameter: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI 3 puts a parameter's type under `schema`; Swagger 2 on the parameter itself.
    inline = {k: v for k, v in parameter.items() if k in ("type", "format", "enum", "items", "minimum", "maximum")}
    schema = dict(parameter.get("schema") or inline)
    if parameter.get("description"):
        schema.setdefault("description", parameter["description"])
    return schema


def _base_url(document: dict[str, Any], source_url: str | None) -> str | None:
    if "swagger" in document:
        host = document.get("host")
        if not host:
            return urljoin(source_url, document.get("basePath", "/")) if source_url else None
        scheme = (document.get("schemes") or ["https"])[0]
        return f"{scheme}://{host}{document.get('basePath', '')}"
    servers = document.get("servers") or []
    url = servers[0].get("url") if servers and isinstance(servers[0], dict) else None
    if url and source_url:
        return urljoin(source_url, url)
    return url if url and url.startswith(("http://", "https://")) else None


def learn(document: Any, source_url: str | None = None) -> Learned:
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise InvalidDocument()
    swagger = str(document.get("swagger", ""))
    openapi = str(document.get("openapi", ""))
    if not (swagger.startswith("2.") or openapi.startswith("3.")):
        raise InvalidDocument("Solo OpenAPI 3.x o Swagger 2.0.")
    resolver = _Resolver(document)
    operations: list[Operation] = []
    taken: set[str] = set()
    for path, item in document["paths"].items():
        item = resolver.resolve(item) if isinstance(item, dict) else {}
        shared = {(p.get("name"), p.get("in")): p for p in item.get("parameters", []) if isinstance(p, dict)}
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            own = {(p.get("name"), p.get("in")): p for p in operation.get("parameters", []) if isinstance(p, dict)}
            properties: dict[str, Any] = {}
            required: list[str] = []
            locations: dict[str, str] = {}
            for (name, where), parameter in {**shared, **own}.items():
                if not name or where not in ("path", "query", "header", "body"):
                    continue
                key = "body" if where == "body" else str(name)
                properties[key] = parameter.get("schema", {}) if where == "body" else _schema_of(parameter)
                locations[key] = str(where)
                if parameter.get("required") or where == "path":
                    required.append(key)
            body = operation.get("requestBody")
            if isinstance(body, dict):
                content = body.get("content", {})
                media = content.get("application/json") or next(iter(content.values()), None)
                if isinstance(media, dict):
                    properties["body"], locations["body"] = media.get("schema", {}), "body"
                    if body.get("required"):
                        required.append("body")
            name = _tool_name(operation, method, path)
            while name in taken:
                name = f"{name}_{method}"[:64] if not name.endswith(method) else f"{name}_"[:64]
            taken.add(name)
            summary = operation.get("summary") or operation.get("description") or f"{method.upper()} {path}"
            operations.append(Operation(
                name=name, method=method.upper(), path=path, summary=str(summary)[:300],
                parameters={"type": "object", "properties": properties, "required": sorted(set(required)),
                            "additionalProperties": False},
                locations=locations,
            ))  # fmt: skip
    info = document.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    return Learned(str(title or "API"), _base_url(document, source_url), operations)

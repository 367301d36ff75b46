"""OpenAPI 3.x and Swagger 2 documents turned into tools: one per operation, its parameters
(path-level ones included, an operation's own overriding them) and its JSON body gathered
into one JSON-Schema object. Local `$ref`s are resolved and `allOf` merged.

A document is untrusted input (a URL anyone may publish): whatever its shape, `learn` either
returns operations that are valid JSON Schema and storable as JSONB, or raises
`InvalidApiDocument` saying what is wrong. Expanding `$ref`s is bounded: a few small schemas
that refer to each other many times over would otherwise multiply into megabytes of tool
parameters (stored, and offered to the model with every question) and minutes of CPU."""

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import jsonschema

from bots.errors import ApiDocumentTooLarge, InvalidApiDocument

METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
LOCATIONS = ("path", "query", "header", "body")
# Nesting levels one schema is expanded to (reference cycles are cut there).
MAX_DEPTH = 12
# The JSON size the expanded parameters of one operation, and of all the operations of one
# document, may reach. A large real operation (Jira's createIssue) stays under a few KB.
MAX_OPERATION_BYTES = 64 * 1024
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_TITLE = 200  # learned_apis.name
MAX_SUMMARY = 300
# Integers beyond this many bits are refused (JSON parsers stop at 4300 digits).
MAX_INT_BITS = 1024


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


def _storable(text: str, where: str) -> str:
    """A string PostgreSQL can hold (text and JSONB): no NUL, no lone surrogate."""
    if "\x00" in text:
        raise InvalidApiDocument(f"{where}: el texto contiene un carácter NUL.")
    try:
        text.encode()
    except UnicodeEncodeError as exc:
        raise InvalidApiDocument(f"{where}: el texto no es Unicode válido.") from exc
    return text


class _Budget:
    """The JSON bytes an operation's expansion may still produce, within the document's."""

    def __init__(self, document_left: int, where: str) -> None:
        self.operation_left = MAX_OPERATION_BYTES
        self.document_left = document_left
        self.where = where

    def spend(self, size: int) -> None:
        self.operation_left -= size
        self.document_left -= size
        if self.operation_left < 0:
            raise ApiDocumentTooLarge(
                f"{self.where}: sus parámetros superan {MAX_OPERATION_BYTES // 1024} KB al expandir sus $ref."
            )
        if self.document_left < 0:
            raise ApiDocumentTooLarge(
                f"Las operaciones del documento superan {MAX_DOCUMENT_BYTES // 1024} KB al expandir sus $ref."
            )


class _Resolver:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.document_left = MAX_DOCUMENT_BYTES
        self.budget = _Budget(self.document_left, "")

    def start(self, where: str) -> None:
        """A new operation: its own budget, within what the document has left."""
        self.budget = _Budget(self.document_left, where)

    def finish(self) -> None:
        self.document_left = self.budget.document_left

    def pointer(self, ref: object) -> object:
        if not isinstance(ref, str):
            raise InvalidApiDocument(f"Un $ref debe ser texto, no {type(ref).__name__}.")
        if not ref.startswith("#/"):
            raise InvalidApiDocument(f"Solo se admiten $ref locales: '{ref[:200]}'.")
        node: object = self.document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise InvalidApiDocument(f"$ref sin destino: '{ref[:200]}'.")
        return node

    def follow(self, node: object) -> object:
        """`node` itself, or what its `$ref`s lead to (a path item, a parameter)."""
        for _ in range(MAX_DEPTH):
            if not isinstance(node, dict) or "$ref" not in node:
                return node
            node = self.pointer(node["$ref"])
        raise InvalidApiDocument("Cadena de $ref demasiado larga o circular.")

    def resolve(self, node: object, depth: int = 0) -> object:
        """`node` with its `$ref`s followed and `allOf`s merged (cycles cut at MAX_DEPTH),
        counted against the budget as it grows."""
        if depth > MAX_DEPTH:
            self.budget.spend(2)
            return {}
        if isinstance(node, list):
            self.budget.spend(2 + len(node))
            return [self.resolve(item, depth + 1) for item in node]
        if isinstance(node, dict):
            if "$ref" in node:
                return self.resolve(self.pointer(node["$ref"]), depth + 1)
            self.budget.spend(2)
            resolved: dict[str, Any] = {}
            for key, value in node.items():
                if not isinstance(key, str):
                    raise InvalidApiDocument(f"{self.budget.where}: una clave no es texto.")
                if key.startswith("$"):
                    # JSON Schema's own references and ids ($dynamicRef, $id...): with the
                    # `$ref`s resolved they mean nothing, and a validator would try to fetch them.
                    continue
                self.budget.spend(len(_storable(key, self.budget.where).encode()) + 4)
                resolved[key] = self.resolve(value, depth + 1)
            _modernised(resolved)
            if "allOf" in resolved:
                return self.merged(resolved)
            return resolved
        return self.scalar(node)

    def scalar(self, value: object) -> object:
        where = self.budget.where
        if value is None or isinstance(value, bool):
            self.budget.spend(5)
        elif isinstance(value, int):
            if value.bit_length() > MAX_INT_BITS:
                raise InvalidApiDocument(f"{where}: un número es demasiado grande.")
            self.budget.spend(value.bit_length() // 3 + 2)
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InvalidApiDocument(f"{where}: un número no es finito.")
            self.budget.spend(24)
        elif isinstance(value, str):
            self.budget.spend(len(_storable(value, where).encode()) + 2)
        else:
            raise InvalidApiDocument(f"{where}: un valor no es JSON.")
        return value

    def merged(self, schema: dict[str, Any]) -> dict[str, Any]:
        parts = schema.pop("allOf")
        if not isinstance(parts, list) or not all(isinstance(part, dict) for part in parts):
            raise InvalidApiDocument(f"{self.budget.where}: allOf debe ser una lista de esquemas.")
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in [*parts, schema]:
            properties, required = part.get("properties", {}), part.get("required", [])
            if not isinstance(properties, dict):
                raise InvalidApiDocument(f"{self.budget.where}: 'properties' debe ser un objeto.")
            if not isinstance(required, list) or not all(isinstance(name, str) for name in required):
                raise InvalidApiDocument(f"{self.budget.where}: 'required' debe ser una lista de nombres.")
            merged["properties"].update(properties)
            merged["required"] += [name for name in required if name not in merged["required"]]
            merged.update({k: v for k, v in part.items() if k not in ("properties", "required", "type")})
        return merged

    def schema(self, node: object, what: str) -> dict[str, Any]:
        """A schema, resolved: it must be an object."""
        resolved = self.resolve(node)
        if not isinstance(resolved, dict):
            raise InvalidApiDocument(f"{self.budget.where}: {what} no es un objeto JSON Schema.")
        return resolved


def _modernised(schema: dict[str, Any]) -> None:
    """OpenAPI 3.0's and Swagger's idioms that JSON Schema 2020-12 (what tools are checked
    with) reads otherwise: boolean `exclusiveMinimum`/`exclusiveMaximum`, and a property's
    `required: true` (a common slip; a property is required in its parent's list)."""
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = schema.get(bound)
        if isinstance(flag, bool):
            del schema[bound]
            value = schema.get(limit)
            if flag and isinstance(value, int | float) and not isinstance(value, bool):
                schema[bound] = schema.pop(limit)
    if isinstance(schema.get("required"), bool):
        del schema["required"]


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _tool_name(operation: dict[str, Any], method: str, path: str) -> str:
    raw = _text(operation.get("operationId")) or f"{method}_{path}"
    return re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_-]", "_", raw)).strip("_")[:64] or method


def _parameters(resolver: _Resolver, listed: object) -> dict[tuple[str, str], dict[str, Any]]:
    """The parameters an operation (or its path) lists, by (name, in), each resolved."""
    where = resolver.budget.where
    if listed is None:
        return {}
    if not isinstance(listed, list):
        raise InvalidApiDocument(f"{where}: 'parameters' debe ser una lista.")
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for item in listed:
        resolver.budget.spend(2)  # skipped ones too: a document must not be walked for free
        parameter = resolver.follow(item)
        if not isinstance(parameter, dict):
            raise InvalidApiDocument(f"{where}: cada parámetro debe ser un objeto.")
        name, location = parameter.get("name"), parameter.get("in")
        if not isinstance(name, str) or not name or not isinstance(location, str):
            raise InvalidApiDocument(f"{where}: cada parámetro necesita 'name' e 'in' de texto.")
        if location in LOCATIONS:  # formData and cookie parameters are not sent
            found[(_storable(name, where), location)] = parameter
    return found


def _schema_of(resolver: _Resolver, parameter: dict[str, Any], name: str) -> dict[str, Any]:
    what = f"el parámetro '{name[:100]}'"
    if "schema" in parameter:
        schema = resolver.schema(parameter["schema"], what)
    else:  # Swagger 2 puts a parameter's type on the parameter itself
        inline = {k: v for k, v in parameter.items() if k in ("type", "format", "enum", "items", "minimum", "maximum")}
        schema = resolver.schema(inline, what)
    description = parameter.get("description")
    if isinstance(description, str) and description:
        schema.setdefault("description", resolver.scalar(description))
    return schema


def _body_schema(resolver: _Resolver, body: object) -> tuple[dict[str, Any], bool] | None:
    """OpenAPI 3's requestBody: its JSON (or first) media type's schema, and whether it is required."""
    body = resolver.follow(body)
    if body is None:
        return None
    where = resolver.budget.where
    if not isinstance(body, dict):
        raise InvalidApiDocument(f"{where}: 'requestBody' debe ser un objeto.")
    content = body.get("content", {})
    if not isinstance(content, dict):
        raise InvalidApiDocument(f"{where}: 'requestBody.content' debe ser un objeto.")
    media = content.get("application/json") or next(iter(content.values()), None)
    if media is None:
        return None
    if not isinstance(media, dict):
        raise InvalidApiDocument(f"{where}: cada tipo de 'requestBody.content' debe ser un objeto.")
    return resolver.schema(media.get("schema", {}), "el cuerpo"), bool(body.get("required"))


def _operation(
    resolver: _Resolver, path: str, method: str, operation: dict[str, Any], shared: object, taken: set[str]
) -> Operation:
    properties: dict[str, Any] = {}
    required: list[str] = []
    locations: dict[str, str] = {}
    parameters = {**_parameters(resolver, shared), **_parameters(resolver, operation.get("parameters"))}
    for (name, where), parameter in parameters.items():
        key = "body" if where == "body" else name
        properties[key] = (
            resolver.schema(parameter.get("schema", {}), "el cuerpo")
            if where == "body"
            else _schema_of(resolver, parameter, name)
        )
        locations[key] = where
        if parameter.get("required") or where == "path":
            required.append(key)
    body = _body_schema(resolver, operation.get("requestBody"))
    if body is not None:
        properties["body"], locations["body"] = body[0], "body"
        if body[1]:
            required.append("body")
    name = _tool_name(operation, method, path)
    while name in taken:
        name = f"{name}_{method}"[:64] if not name.endswith(method) else f"{name}_"[:64]
    taken.add(name)
    summary = _text(operation.get("summary")) or _text(operation.get("description")) or f"{method.upper()} {path}"
    summary = _storable(summary, resolver.budget.where)[:MAX_SUMMARY]
    resolver.budget.spend(100 + len(name) + len(summary.encode()) + len(path.encode()))  # what else is stored
    schema = {"type": "object", "properties": properties, "required": sorted(set(required)),
              "additionalProperties": False}  # fmt: skip
    try:  # what tools are checked with (`tools.service.check_parameters`) must accept it
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidApiDocument(f"{resolver.budget.where}: sus parámetros no son JSON Schema válido: "
                              f"{exc.message[:200]}") from exc  # fmt: skip
    return Operation(name=name, method=method.upper(), path=path,
                     summary=summary, parameters=schema, locations=locations)  # fmt: skip


def _base_url(document: dict[str, Any], source_url: str | None) -> str | None:
    try:
        return _joined_base_url(document, source_url)
    except ValueError as exc:  # urljoin on a malformed URL ("http://[::1"): the document's fault
        raise InvalidApiDocument("La URL del servidor del documento no es válida.") from exc


def _joined_base_url(document: dict[str, Any], source_url: str | None) -> str | None:
    if "swagger" in document:
        host = _text(document.get("host"))
        base_path = _text(document.get("basePath")) or ""
        if not host:
            return urljoin(source_url, base_path or "/") if source_url else None
        schemes = document.get("schemes")
        scheme = schemes[0] if isinstance(schemes, list) and schemes and schemes[0] in ("http", "https") else "https"
        return f"{scheme}://{host}{base_path}"
    servers = document.get("servers")
    first = servers[0] if isinstance(servers, list) and servers else None
    url = _text(first.get("url")) if isinstance(first, dict) else None
    if url and source_url:
        return urljoin(source_url, url)
    return url if url and url.startswith(("http://", "https://")) else None


def learn(document: object, source_url: str | None = None) -> Learned:
    if not isinstance(document, dict) or not isinstance(document.get("paths"), dict):
        raise InvalidApiDocument()
    swagger = document.get("swagger")
    openapi = document.get("openapi")
    if not (isinstance(swagger, str) and swagger.startswith("2.")) and not (
        isinstance(openapi, str) and openapi.startswith("3.")
    ):
        raise InvalidApiDocument("Solo OpenAPI 3.x o Swagger 2.0.")
    resolver = _Resolver(document)
    operations: list[Operation] = []
    taken: set[str] = set()
    for path, raw_item in document["paths"].items():
        # A path is appended to the API's base URL: "@host/x" would change the host.
        if not isinstance(path, str) or not path.startswith("/"):
            raise InvalidApiDocument(f"Cada ruta debe empezar por '/': '{_storable(str(path), 'Una ruta')[:200]}'.")
        _storable(path, "Una ruta")
        item = resolver.follow(raw_item)
        if not isinstance(item, Mapping):
            raise InvalidApiDocument(f"La ruta '{path[:200]}' no es un objeto.")
        for method in METHODS:
            operation = resolver.follow(item.get(method))
            if operation is None:
                continue
            if not isinstance(operation, dict):
                raise InvalidApiDocument(f"{method.upper()} {path[:200]} no es un objeto.")
            resolver.start(f"{method.upper()} {path[:200]}")
            operations.append(_operation(resolver, path, method, operation, item.get("parameters"), taken))
            resolver.finish()
    info = document.get("info")
    title = _text(info.get("title")) if isinstance(info, dict) else None
    base_url = _base_url(document, source_url)
    return Learned(
        _storable(title or "API", "El título")[:MAX_TITLE],
        _storable(base_url, "La URL base") if base_url else None,
        operations,
    )

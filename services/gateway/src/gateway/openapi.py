"""One OpenAPI document (and one AsyncAPI document) for the whole suite, merged from the services' own."""

import asyncio
import copy
import json
import time
from typing import Any

import httpx

from gateway.errors import UPSTREAM_AWAY, PayloadTooLarge
from gateway.routes import Route, RouteTable
from shared.errors import (
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
    error_body,
)

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_WITH_BODY = ("put", "post", "patch")
# What the gateway itself, or any protected route, may answer besides what a service documents.
_EDGE_ANSWERS: tuple[tuple[ServiceError, str], ...] = (
    (NotAuthenticated(), "Sin credenciales válidas, o el token expiró o fue revocado."),
    (PermissionDenied(), "El rol no concede el permiso."),
    (NotFound(), "No existe, o pertenece a otro espacio de trabajo."),
    (PayloadTooLarge(), "El cuerpo supera el límite de la pasarela."),
    (RateLimited(), "Límite de solicitudes por minuto alcanzado."),
    (ServiceUnavailable(UPSTREAM_AWAY), "El servicio no está disponible."),
)
_RATE_HEADERS = {
    name: {"description": description, "schema": {"type": "integer"}}
    for name, description in (
        ("X-RateLimit-Limit", "Solicitudes permitidas por minuto"),
        ("X-RateLimit-Remaining", "Solicitudes que quedan en esta ventana"),
        ("X-RateLimit-Reset", "Momento (Unix) en que la ventana se renueva"),
    )
}

_REF_PREFIX = "#/components/schemas/"


def _rename_refs(node: Any, renames: dict[str, str], prefix: str = _REF_PREFIX) -> Any:
    """`node` with every `$ref` to `prefix<name>` renamed as `renames` says."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(prefix):
                name = value[len(prefix) :]
                out[key] = prefix + renames.get(name, name)
            else:
                out[key] = _rename_refs(value, renames, prefix)
        return out
    if isinstance(node, list):
        return [_rename_refs(item, renames, prefix) for item in node]
    return node


def merge(documents: dict[str, dict[str, Any]], table: RouteTable, base: dict[str, Any]) -> dict[str, Any]:
    """Keep each service's paths that the gateway routes to it; rename clashing schemas."""
    merged = copy.deepcopy(base)
    paths: dict[str, Any] = merged.setdefault("paths", {})
    schemas: dict[str, Any] = merged.setdefault("components", {}).setdefault("schemas", {})
    for service, document in sorted(documents.items()):
        own = document.get("components", {}).get("schemas", {})
        renames = {
            name: f"{service}__{name}"
            for name, schema in own.items()
            if name in schemas and json.dumps(schemas[name], sort_keys=True) != json.dumps(schema, sort_keys=True)
        }
        for name, schema in own.items():
            schemas[renames.get(name, name)] = _rename_refs(schema, renames)
        for path, item in document.get("paths", {}).items():
            route = table.resolve(path)
            if route is not None and route.service == service:
                paths[path] = _declare_edge_answers(_rename_refs(item, renames), route)
        for name, scheme in document.get("components", {}).get("securitySchemes", {}).items():
            merged["components"].setdefault("securitySchemes", {})[name] = scheme
    return merged


def _declare_edge_answers(item: dict[str, Any], route: Route) -> dict[str, Any]:
    """Declare, once for every operation, the refusals the gateway and the shared dependencies give."""
    for method, operation in item.items():
        if method not in _METHODS:
            continue
        protected = method.upper() not in route.public
        responses = operation.setdefault("responses", {})
        for error, description in _EDGE_ANSWERS:
            status = error.status_code
            if (status in (401, 403) and not protected) or (status == 413 and method not in _WITH_BODY):
                continue
            answer: dict[str, Any] = {
                "description": description,
                "content": {
                    "application/json": {
                        "schema": {"type": "object"},
                        "example": error_body(route.style, status_code=status, message=error.message),
                    }
                },
            }
            if status == 429 or (status == 401 and route.rate_limited):
                answer["headers"] = _RATE_HEADERS
            responses.setdefault(str(status), answer)
    return item


def merge_asyncapi(documents: dict[str, dict[str, Any]], base: dict[str, Any]) -> dict[str, Any]:
    """Every service's channels, operations and components; a clashing component name is
    prefixed with its service (events are owned by one publisher, so clashes are rare)."""
    merged = copy.deepcopy(base)
    for section in ("channels", "operations"):
        merged.setdefault(section, {})
    components = merged.setdefault("components", {"messages": {}, "schemas": {}})
    kinds = ("messages", "schemas")
    for service, document in sorted(documents.items()):
        renames = {
            kind: {
                name: f"{service}__{name}"
                for name, item in document.get("components", {}).get(kind, {}).items()
                if components[kind].get(name, item) != item
            }
            for kind in kinds
        }
        for kind in kinds:
            document = _rename_refs(document, renames[kind], f"#/components/{kind}/")
        for kind in kinds:
            for name, item in document.get("components", {}).get(kind, {}).items():
                components[kind][renames[kind].get(name, name)] = item
        merged["channels"].update(document.get("channels", {}))
        merged["operations"].update(document.get("operations", {}))
    return merged


class MergedSchema:
    """Fetched from every upstream on demand, cached briefly; a down service is left out."""

    def __init__(self, client: httpx.AsyncClient, upstreams: dict[str, str], table: RouteTable, ttl: float) -> None:
        self.client = client
        self.upstreams = upstreams
        self.table = table
        self.ttl = ttl
        self._cached: dict[str, tuple[float, dict[str, Any]]] = {}

    async def _fetch(self, name: str, url: str) -> tuple[str, dict[str, Any] | None]:
        try:
            response = await self.client.get(url, timeout=3.0)
            response.raise_for_status()
            return name, response.json()
        except (httpx.HTTPError, ValueError):
            return name, None

    async def _documents(self, path: str) -> tuple[dict[str, dict[str, Any]], list[str]]:
        wanted = {name: url for name, url in self.upstreams.items() if name in self.table.upstreams}
        results = await asyncio.gather(*(self._fetch(name, f"{url}{path}") for name, url in wanted.items()))
        return {name: doc for name, doc in results if doc is not None}, sorted(n for n, d in results if d is None)

    async def _cached_or(self, key: str, build: Any) -> dict[str, Any]:
        cached = self._cached.get(key)
        if cached and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        document, complete = await build()
        if complete:
            self._cached[key] = (time.monotonic(), document)
        return dict(document)

    async def get(self, base: dict[str, Any]) -> dict[str, Any]:
        """The OpenAPI document."""

        async def build() -> tuple[dict[str, Any], bool]:
            documents, missing = await self._documents("/openapi.json")
            merged = merge(documents, self.table, base)
            if missing:
                merged["info"]["description"] = (
                    merged["info"].get("description", "") + f"\n\nUnavailable right now: {', '.join(missing)}."
                )
            return merged, not missing

        return await self._cached_or("openapi", build)

    async def asyncapi(self, base: dict[str, Any]) -> dict[str, Any]:
        """The AsyncAPI document: every subject the services publish, with its payload."""

        async def build() -> tuple[dict[str, Any], bool]:
            documents, missing = await self._documents("/asyncapi.json")
            merged = merge_asyncapi(documents, base)
            if missing:
                merged["info"]["description"] += f"\n\nUnavailable right now: {', '.join(missing)}."
            return merged, not missing

        return await self._cached_or("asyncapi", build)

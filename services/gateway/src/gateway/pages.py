"""The gateway's own pages: the welcome message (001), the merged schema and its docs (004).

The JSON ones are in the merged document too (`openapi_base`), documented like any service's.
"""

from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.staticfiles import StaticFiles

VERSION = "0.1.0"
WELCOME = {"message": "Bienvenido a la API de Bytchat. La API está en línea."}
# Swagger UI and ReDoc from the fastapi-offline wheel: the docs work without internet.
_STATIC = Path(fastapi_offline.__file__).parent / "static"
_OWN_PATHS = frozenset(
    # /readyz and /metrics are not here: they are served on the admin port only (gateway.admin).
    {"/", "/healthz", "/api/schema/", "/api/asyncapi/", "/api/docs/", "/api/redoc/", "/api/docs", "/api/redoc"}
)
_OPENAPI_BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "Platform API",
        "version": VERSION,
        "description": "Every service of the suite behind one gateway. "
        "Send `Authorization: Bearer <jwt>` (or `Token <jwt>`) from any login endpoint.",
    },
    "paths": {},
    "components": {"schemas": {}},
}

_ASYNCAPI_BASE: dict[str, Any] = {
    "asyncapi": "3.0.0",
    "info": {
        "title": "Platform events",
        "version": VERSION,
        "description": "The NATS JetStream subjects the services publish, each with its payload model. "
        "Every event travels in the same envelope; `data` holds the payload.\n\n"
        "Clients' channels too (`client_*`): the WebSockets behind the gateway, `/ws` (002's chat) and "
        "`/api/chat/ws/` (003's desk), with their frames both ways, and the webhook deliveries a "
        "subscriber's URL receives, one message per event name, with the Standard Webhooks headers.",
    },
    "defaultContentType": "application/json",
}

_OPENAPI_EXAMPLE = {
    "openapi": "3.1.0",
    "info": {"title": "Platform API", "version": VERSION},
    "paths": {"/api/cultivos/": {"get": {"operationId": "list_crops", "summary": "Listar cultivos"}}},
}
_ASYNCAPI_EXAMPLE = {
    "asyncapi": "3.0.0",
    "info": {"title": "Platform events", "version": VERSION},
    "channels": {"agro.task.suggested": {"address": "agro.task.suggested"}},
}


def _json_example(example: Any) -> dict[int | str, dict[str, Any]]:
    """A page's documented answers: its example, and the refusal of a caller over the rate limit."""
    return {
        200: {"content": {"application/json": {"example": example}}},
        429: {"description": "Límite de solicitudes por minuto alcanzado (por dirección)."},
    }


router = APIRouter()


def is_rate_limited(path: str) -> bool:
    """An own page counted against the caller's address: all but health checks and static assets."""
    return path in _OWN_PATHS and path != "/healthz"


def is_own_path(path: str) -> bool:
    """Answered by the gateway itself rather than routed upstream."""
    return path in _OWN_PATHS or path.startswith("/api/static/")


def mount_static(app: FastAPI) -> None:
    app.mount("/api/static", StaticFiles(directory=_STATIC), name="docs-static")


def openapi_base(app: FastAPI) -> dict[str, Any]:
    """The merged document's start: its info, and the gateway's own operations."""
    return {**_OPENAPI_BASE, "paths": app.openapi()["paths"]}


@router.get("/", summary="Mensaje de bienvenida", responses=_json_example(WELCOME))
async def get_welcome() -> dict[str, str]:
    """Dice que la API está en línea (001). Público: no hace falta token."""
    return WELCOME


@router.get("/api/schema/", summary="Documento OpenAPI", responses=_json_example(_OPENAPI_EXAMPLE))
async def get_openapi_document(request: Request) -> JSONResponse:
    """Este documento: todas las operaciones de la plataforma, con sus parámetros, cuerpos,
    respuestas y ejemplos (OpenAPI 3.1), para Swagger UI (`/api/docs/`), ReDoc (`/api/redoc/`)
    o un generador de clientes. Público: no hace falta token.
    \f
    A service that is down is left out, and said so in `info.description`."""
    return JSONResponse(await request.app.state.schema.get(openapi_base(request.app)))


@router.get("/api/asyncapi/", summary="Documento AsyncAPI", responses=_json_example(_ASYNCAPI_EXAMPLE))
async def get_asyncapi_document(request: Request) -> JSONResponse:
    """Los eventos que publican los servicios (AsyncAPI 3.0), cada uno con su contenido.
    Público: no hace falta token."""
    return JSONResponse(await request.app.state.schema.asyncapi(_ASYNCAPI_BASE))


@router.get("/api/docs", include_in_schema=False)
@router.get("/api/redoc", include_in_schema=False)
async def docs_without_slash(request: Request) -> RedirectResponse:
    """`/api/docs` and `/api/redoc` as typed by hand: to the page (a path, so behind any proxy)."""
    return RedirectResponse(request.url.path + "/", status_code=307)


@router.get("/api/docs/", include_in_schema=False)
async def swagger() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/schema/",
        title="Platform API",
        swagger_js_url="/api/static/swagger-ui-bundle.js",
        swagger_css_url="/api/static/swagger-ui.css",
        swagger_favicon_url="/api/static/favicon.png",
    )


@router.get("/api/redoc/", include_in_schema=False)
async def redoc() -> HTMLResponse:
    return get_redoc_html(
        openapi_url="/api/schema/",
        title="Platform API",
        redoc_js_url="/api/static/redoc.standalone.js",
        redoc_favicon_url="/api/static/favicon.png",
        with_google_fonts=False,
    )

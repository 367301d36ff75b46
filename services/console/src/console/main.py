"""The console: server-rendered pages on the gateway's public API, under `/console/`.

It owns no schema and listens to no subject: its lifespan is one pooled httpx client to the
gateway (which need not be up for the console to start). `/healthz`, `/readyz` and `/metrics`
are the shared ones; `/openapi.json` lists no console path (every page is
`include_in_schema=False`), so the gateway's merged API document is unchanged by it.
"""

import contextlib
import http.cookiejar
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from console.config import Settings, settings
from console.cookies import CookieJar
from console.csrf import verify_csrf
from console.desk.endpoints import router as desk_router
from console.errors import ApiError, NotSignedIn
from console.farm.endpoints import router as farm_router
from console.home.endpoints import router as home_router
from console.live import SIGNED_OUT
from console.security_headers import SecurityHeaders
from console.session.endpoints import router as session_router
from console.session_state import cookie_jar
from console.studio.endpoints import router as studio_router
from console.templating import render
from console.widget.endpoints import router as widget_router
from console.workspace.endpoints import router as workspace_router
from shared.errors import ServiceError
from shared.events import asyncapi_document
from shared.health import router as health_router
from shared.observability import ObservabilityMiddleware, configure_logging
from shared.observability.tracing import configure_tracing, trace_app

VERSION = "0.1.0"
STATIC = Path(__file__).parent / "static"
LOGIN = "/console/login/"

_HEADINGS = {
    403: "Acceso denegado",
    404: "Página no encontrada",
    422: "Datos no válidos",
    503: "Servicio no disponible",
}


def _htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def error_page(request: Request, status: int, message: str) -> Response:
    """The error as a page, or, for an htmx request, as a notice swapped into `#flash`."""
    context = {"heading": _HEADINGS.get(status, "No se pudo completar la acción"), "message": message}
    if _htmx(request):
        headers = {"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"}
        return render(request, "error.html", context, status=status, partial=True, headers=headers)
    return render(request, "error.html", context, status=status)


async def on_not_signed_in(request: Request, exc: Exception) -> Response:
    """To the login page (htmx: `HX-Redirect`; a live stream: its `signed-out` event), forgetting
    a cookie whose token the API refused."""
    target = LOGIN
    if request.method == "GET" and request.url.path != "/console/":
        target += "?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    response: Response = RedirectResponse(target, status_code=303)
    if _htmx(request):
        response = Response(status_code=204, headers={"HX-Redirect": target})
    elif "text/event-stream" in request.headers.get("accept", ""):
        response = Response(SIGNED_OUT, media_type="text/event-stream")
    cookie_jar(request).clear(response)
    return response


async def on_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return error_page(request, exc.status_code, exc.message)


async def on_api_error(request: Request, exc: Exception) -> Response:
    """An API refusal no page handled itself: its status and its own message."""
    assert isinstance(exc, ApiError)
    return error_page(request, exc.status, exc.message)


async def on_invalid_form(request: Request, exc: Exception) -> Response:
    """A form or query the page could not read: which fields, on a page (htmx: in `#flash`)."""
    assert isinstance(exc, RequestValidationError)
    fields = sorted({str(error["loc"][-1]) for error in exc.errors() if error.get("loc")})
    return error_page(request, 422, "Revise los datos enviados: " + ", ".join(fields) + ".")


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not request.url.path.startswith("/console/"):
        return Response(status_code=exc.status_code, headers=exc.headers)
    return error_page(request, exc.status_code, _HEADINGS.get(exc.status_code, str(exc.detail)))


def create_app(config: Settings | None = None) -> FastAPI:
    config = config or settings
    configure_logging(config.service_name, config.log_level)
    configure_tracing(config.service_name, VERSION)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(config.read_timeout_seconds, connect=config.connect_timeout_seconds)
        limits = httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=2.0)
        # One client for every user: it must keep no cookie an answer sets.
        no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        app.state.http = httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False, cookies=no_cookies)
        try:
            yield
        finally:
            await app.state.http.aclose()

    app = FastAPI(
        title="console",
        version=VERSION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        # Every request that may change something carries the session's CSRF token (console.csrf).
        dependencies=[Depends(verify_csrf)],
    )
    app.state.settings = config
    app.state.cookies = CookieJar(config)
    app.add_exception_handler(NotSignedIn, on_not_signed_in)
    app.add_exception_handler(ServiceError, on_refusal)
    app.add_exception_handler(ApiError, on_api_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_invalid_form)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(ObservabilityMiddleware, service=config.service_name)
    trace_app(app)
    app.include_router(health_router)
    catalogue = asyncapi_document("console", VERSION, [])

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> dict[str, Any]:
        return catalogue  # none: the console publishes nothing (the gateway merges every service's)

    app.mount("/console/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(session_router)
    app.include_router(home_router)
    app.include_router(desk_router)
    app.include_router(widget_router)
    app.include_router(farm_router)
    app.include_router(studio_router)
    app.include_router(workspace_router)
    return app


app = create_app()

"""The gateway: verify early, limit rates, route to the owning service, stream the answer back."""

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import fastapi_offline
import httpx
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from gateway.config import Settings
from gateway.openapi import MergedSchema
from gateway.proxy import UpstreamUnavailable, forward_http, forward_websocket
from gateway.ratelimit import RateLimiter
from gateway.routes import ROUTES, Route, RouteTable
from shared.errors import ErrorStyle, NotAuthenticated, NotFound, RateLimited, ServiceError, error_body
from shared.events import connect_nats
from shared.health import router as health_router
from shared.observability import ObservabilityMiddleware, configure_logging
from shared.security import RevocationList, TokenVerifier, parse_authorization

VERSION = "0.1.0"
WELCOME = {"message": "Bienvenido a la API de Bytchat. La API está en línea."}
_STATIC = Path(fastapi_offline.__file__).parent / "static"
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


def _error(route: Route | None, exc: ServiceError, headers: dict[str, str] | None = None) -> JSONResponse:
    style = route.style if route else ErrorStyle.AGENT
    body = error_body(style, status_code=exc.status_code, message=exc.message, code=exc.code, details=exc.details)
    return JSONResponse(body, status_code=exc.status_code, headers={**exc.headers, **(headers or {})})


def create_app(settings: Settings | None = None, routes: list[Route] | None = None) -> ASGIApp:
    """The gateway as an ASGI app: its own pages on FastAPI, a lean path for proxied requests."""
    settings = settings or Settings()
    table = RouteTable(routes if routes is not None else ROUTES)
    limiter = RateLimiter(settings.rate_limit_per_minute)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.service_name, settings.log_level)
        timeout = httpx.Timeout(settings.read_timeout_seconds, connect=settings.connect_timeout_seconds)
        limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
        app.state.http = httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False)
        nc = await connect_nats(settings.nats_url, name=settings.service_name)
        app.state.nats = nc
        revocations = RevocationList()
        await revocations.follow(nc.jetstream(), window_seconds=settings.revocation_window_seconds)
        app.state.verifier = TokenVerifier(settings.jwks_url, issuer=settings.jwt_issuer, revocations=revocations)
        app.state.schema = MergedSchema(app.state.http, settings.upstreams, table, settings.openapi_cache_seconds)
        try:
            yield
        finally:
            await app.state.verifier.aclose()
            await app.state.http.aclose()
            await nc.drain()

    # The gateway's own pages; everything else skips FastAPI's routing and middleware stack.
    app = FastAPI(
        title="Platform gateway", version=VERSION, docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.include_router(health_router)
    app.mount("/api/static", StaticFiles(directory=_STATIC), name="docs-static")

    def client_key(request: Request | WebSocket) -> str:
        return f"ip:{request.client.host if request.client else 'unknown'}"

    @app.get("/", include_in_schema=False)
    async def welcome() -> dict[str, str]:
        return WELCOME

    @app.get("/api/schema/", include_in_schema=False)
    async def schema() -> JSONResponse:
        return JSONResponse(await app.state.schema.get(_OPENAPI_BASE))

    @app.get("/api/docs/", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/schema/",
            title="Platform API",
            swagger_js_url="/api/static/swagger-ui-bundle.js",
            swagger_css_url="/api/static/swagger-ui.css",
            swagger_favicon_url="/api/static/favicon.png",
        )

    @app.get("/api/redoc/", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url="/api/schema/",
            title="Platform API",
            redoc_js_url="/api/static/redoc.standalone.js",
            redoc_favicon_url="/api/static/favicon.png",
            with_google_fonts=False,
        )

    async def proxy(request: Request) -> Response:
        route = table.resolve(request.url.path)
        if route is None or route.websocket:
            return _error(None, NotFound())
        key = client_key(request)
        if request.method not in route.public and request.method != "OPTIONS":
            token = parse_authorization(request.headers.get("authorization"))
            if token is None:
                return _error(route, NotAuthenticated())
            try:
                principal = await app.state.verifier.verify(token)
            except ServiceError as exc:
                return _error(route, exc)
            key = f"user:{principal.user_id}"
        quota = limiter.hit(key)
        headers = quota.headers()
        if not quota.allowed:
            return _error(route, RateLimited(), headers)
        base_url = settings.upstreams.get(route.upstream)
        try:
            if base_url is None:
                raise UpstreamUnavailable()
            return await forward_http(app.state.http, base_url, request, headers)
        except ServiceError as exc:
            return _error(route, exc, headers)

    async def proxy_websocket(websocket: WebSocket) -> None:
        route = table.resolve(websocket.url.path)
        base_url = settings.upstreams.get(route.upstream) if route and route.websocket else None
        if route is None or base_url is None:
            await websocket.close(code=1008 if route is None else 1013)
            return
        if not limiter.hit(client_key(websocket)).allowed:
            await websocket.close(code=1013)
            return
        # WebSocket clients authenticate in their first frame (002), so the service checks it.
        await forward_websocket(base_url, websocket)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan" or _is_own_path(scope["path"]):
            await app(scope, receive, send)
            return
        route = table.resolve(scope["path"])
        if route is not None:
            scope["route"] = route  # the metrics label: the route's path, never the raw path
        if scope["type"] == "http":
            response = await proxy(Request(scope, receive))
            await response(scope, receive, send)
        elif scope["type"] == "websocket":
            await proxy_websocket(WebSocket(scope, receive, send))

    cors = CORSMiddleware(
        dispatch,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    )
    return ObservabilityMiddleware(cors, service=settings.service_name)


_OWN_PATHS = frozenset({"/", "/healthz", "/readyz", "/metrics", "/api/schema/", "/api/docs/", "/api/redoc/"})


def _is_own_path(path: str) -> bool:
    return path in _OWN_PATHS or path.startswith("/api/static/")


app = create_app()

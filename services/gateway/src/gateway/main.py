"""The gateway: verify early, limit rates, route to the owning service, stream the answer back."""

import contextlib
import http.cookiejar
import time
from collections.abc import AsyncIterator, Callable, Iterable

import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocket

from gateway import pages
from gateway.admin import serving_admin
from gateway.config import Settings
from gateway.cors import SimpleCors
from gateway.edge import Edge, client_key, error_response
from gateway.openapi import MergedSchema
from gateway.proxy import UPSTREAM_KEEPALIVE_SECONDS
from gateway.ratelimit import RateLimiter
from gateway.routes import ROUTES, RouteTable
from shared.events import connect_nats
from shared.events.streams import configure_streams
from shared.health import healthz
from shared.http1 import UpstreamPool
from shared.observability import ObservabilityMiddleware, configure_logging
from shared.observability.tracing import configure_tracing, traced_app
from shared.openapi import operation_id
from shared.requirements import Requirements
from shared.routes import Family, Route
from shared.security import start_token_verifier


def create_app(
    settings: Settings | None = None,
    routes: Iterable[Route | Family] | None = None,
    *,
    clock: Callable[[], float] = time.time,
) -> ASGIApp:
    """The gateway as an ASGI app: its own pages on FastAPI, a lean path for proxied requests.

    `clock` (Unix seconds) is what the rate limit's windows follow: a test moves it on.
    """
    settings = settings or Settings()
    table = RouteTable(routes if routes is not None else ROUTES)
    configure_logging(settings.service_name, settings.log_level)
    # With OTEL_EXPORTER_OTLP_ENDPOINT: a server span per request, continuing a caller's
    # traceparent or starting a trace; httpx's spans send it on to the upstream service.
    configure_tracing(settings.service_name, pages.VERSION)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = httpx.Timeout(settings.read_timeout_seconds, connect=settings.connect_timeout_seconds)
        # Idle upstream connections are dropped well before the services' keep-alive closes
        # them (see UPSTREAM_KEEPALIVE_SECONDS).
        limits = httpx.Limits(
            max_connections=500, max_keepalive_connections=100, keepalive_expiry=UPSTREAM_KEEPALIVE_SECONDS
        )
        # No cookie jar: a client that kept one user's Set-Cookie would send it with the next
        # anonymous request (the console's session cookie, to anyone).
        no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
        app.state.http = httpx.AsyncClient(timeout=timeout, limits=limits, follow_redirects=False, cookies=no_cookies)
        # Proxied requests go through a leaner pool than httpx's (see shared.http1); it keeps
        # no cookies either.
        app.state.upstream = UpstreamPool(
            connect_timeout=settings.connect_timeout_seconds, read_timeout=settings.read_timeout_seconds,
            keepalive_expiry=UPSTREAM_KEEPALIVE_SECONDS,
        )  # fmt: skip
        configure_streams(settings.stream_replicas)
        nc = await connect_nats(settings.nats_url, name=settings.service_name)
        app.state.nats = nc
        app.state.verifier = await start_token_verifier(nc.jetstream(), settings)
        await limiter.attach(nc)
        requirements = Requirements(nats=nc)
        await requirements.report()  # logs what falls short; /readyz (admin port) asks again
        app.state.schema = MergedSchema(app.state.http, settings.upstreams, table, settings.openapi_cache_seconds)
        try:
            async with serving_admin(settings.admin_host, settings.admin_port, nc, requirements):
                yield
        finally:
            await app.state.verifier.aclose()
            await limiter.aclose()
            await app.state.upstream.aclose()
            await app.state.http.aclose()
            await nc.drain()

    # The gateway's own pages; everything else skips FastAPI's routing and middleware stack.
    app = FastAPI(
        title="Platform gateway",
        version=pages.VERSION,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # its own operations are served in the merged document (pages.openapi_base)
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    # Liveness says nothing about the services: public.
    app.add_api_route(
        "/healthz",
        healthz,
        name="check_gateway_health",
        summary="Comprobar que la pasarela responde",
        description="200 mientras la pasarela esté en marcha; no dice nada de los servicios. "
        "Público: no hace falta token.",
        responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}},
    )
    app.include_router(pages.router)
    pages.mount_static(app)
    limiter = RateLimiter(settings.rate_limit_per_minute, bucket=settings.rate_limit_bucket, clock=clock)
    edge = Edge(
        table,
        limiter,
        settings,
        lambda: (app.state.upstream, app.state.verifier),
    )

    async def own_page(scope: Scope, receive: Receive, send: Send) -> None:
        """The gateway's pages, limited per address like any anonymous request (not health, not assets)."""
        if scope["type"] != "http" or not pages.is_rate_limited(scope["path"]):
            await app(scope, receive, send)
            return
        quota = await limiter.hit(client_key(Request(scope)))
        if not quota.allowed:
            await error_response(scope["path"], quota.refusal(), quota.headers())(scope, receive, send)
            return
        extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in quota.headers().items()]

        async def send_with_quota(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await app(scope, receive, send_with_quota)

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        """Behind Starlette's CORS middleware: the lifespan, the gateway's own pages and proxied
        WebSockets (proxied HTTP requests take `proxied`, below; their preflights the middleware answers)."""
        if scope["type"] == "lifespan" or pages.is_own_path(scope["path"]):
            await own_page(scope, receive, send)
        elif scope["type"] == "websocket":
            route = table.resolve(scope["path"])
            if route is not None:
                scope["route"] = route  # the metrics label: the route's path, never the raw path
            await edge.websocket(WebSocket(scope, receive, send))

    cors = CORSMiddleware(
        dispatch,
        allow_origins=settings.cors_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["X-Request-ID", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"],
    )
    simple_cors = SimpleCors(cors)

    async def proxied(scope: Scope, receive: Receive, send: Send) -> None:
        """A routed HTTP request straight to the edge; its answer gets the CORS headers the
        middleware would add (see gateway.cors). The rest goes through the middleware."""
        if scope["type"] != "http" or pages.is_own_path(scope["path"]):
            await cors(scope, receive, send)
            return
        origin = simple_cors.origin(scope)
        if simple_cors.is_preflight(scope, origin):
            await cors(scope, receive, send)
            return
        route = table.resolve(scope["path"])
        if route is not None:
            scope["route"] = route  # the metrics label: the route's path, never the raw path
        response = await edge.http(Request(scope, receive))
        simple_cors.apply(origin, response.raw_headers)
        await response(scope, receive, send)

    return traced_app(ObservabilityMiddleware(proxied, service=settings.service_name))


app = create_app()

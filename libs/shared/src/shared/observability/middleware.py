"""Pure ASGI middleware (streaming-safe): request id, one access log line, metrics."""

import logging
import time

from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.observability.metrics import LATENCY, REQUESTS
from shared.observability.request_id import REQUEST_ID_HEADER, accept_or_new, request_id_var
from shared.observability.tracing import name_server_span

logger = logging.getLogger("access")
_HEADER = REQUEST_ID_HEADER.lower().encode()
_QUIET_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, *, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(_HEADER)
        request_id = accept_or_new(incoming.decode("latin-1") if incoming else None)
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != _HEADER]
                headers.append((_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "WS")
            name_server_span(method, template)
            REQUESTS.labels(self.service, method, template, str(status)).inc()
            LATENCY.labels(self.service, method, template).observe(elapsed)
            if scope["path"] not in _QUIET_PATHS:
                logger.info(
                    "request",
                    extra={
                        "method": method,
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )
            request_id_var.reset(token)


def keep_alive_after_errors(app: Starlette) -> None:
    """Wrap `app`'s whole stack, outside Starlette's own error middleware, in `KeepAliveAfterError`."""
    build = app.build_middleware_stack
    app.build_middleware_stack = lambda: KeepAliveAfterError(build())  # type: ignore[method-assign]


class KeepAliveAfterError:
    """Outermost: once Starlette has answered an unhandled error with a whole 500, end there.

    Starlette re-raises the error after sending its 500, and uvicorn then drops the keep-alive
    connection, which the gateway's pool may already be reusing for someone else's request:
    their request fails with 502. The error is logged here with its traceback instead.
    An answer cut off midway still re-raises, so uvicorn closes that connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        complete = False

        async def tracking_send(message: Message) -> None:
            nonlocal complete
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                complete = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if not complete:
                raise
            logging.getLogger("errors").exception("unhandled error", extra={"path": scope["path"]})

"""What happens to a routed request: token check, rate limit, forward, errors in the route's shape."""

from collections.abc import Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket

from gateway.config import Settings
from gateway.errors import UPSTREAM_AWAY
from gateway.proxy import Origin, forward_http, forward_websocket
from gateway.ratelimit import RateLimiter
from gateway.revoking import apply_revoked
from gateway.routes import Route, RouteTable
from shared.errors import (
    InvalidRequest,
    NotAuthenticated,
    NotFound,
    ServiceError,
    ServiceUnavailable,
    error_body,
)
from shared.http1 import UpstreamPool
from shared.routes import seed_style
from shared.security import Principal, TokenVerifier, parse_authorization


def error_response(route: Route | str, exc: ServiceError, quota: dict[str, str] | None = None) -> JSONResponse:
    """`exc` in the shape of the route's seed (or, with no route, of the seed the path looks like),
    with the headers it derives from its attributes and, where counted, the caller's `quota`."""
    style = route.style if isinstance(route, Route) else seed_style(route)
    body = error_body(style, status_code=exc.status_code, message=exc.message, code=exc.code, details=exc.details)
    return JSONResponse(body, status_code=exc.status_code, headers={**exc.headers, **(quota or {})})


def has_dot_segments(path: str) -> bool:
    """`.` or `..` as a segment once decoded (`..%2f` included): never routed, whoever asks."""
    return any(segment in (".", "..") for segment in path.replace("\\", "/").split("/"))


def client_key(connection: Request | WebSocket) -> str:
    """The rate-limit key of an anonymous caller: its address."""
    return f"ip:{connection.client.host if connection.client else 'unknown'}"


class Edge:
    """The proxy's decisions; the upstream pool and the verifier come from the app's lifespan."""

    def __init__(
        self,
        table: RouteTable,
        limiter: RateLimiter,
        settings: Settings,
        resources: Callable[[], tuple[UpstreamPool, TokenVerifier]],
    ) -> None:
        self.table = table
        self.limiter = limiter
        self.settings = settings
        self.upstreams = settings.upstreams
        self.public_origin = Origin.parse(settings.public_url)
        self.resources = resources

    async def http(self, request: Request) -> Response:
        # The decoded path as the server gives it (what the route table and the dot check read;
        # `request.url` would build a whole URL per request for the same thing).
        path = request.scope["path"]
        if has_dot_segments(path):
            return error_response(path, InvalidRequest("Ruta inválida."))
        route = request.scope.get("route") or self.table.resolve(path)
        if route is None or route.websocket:
            return error_response(path, NotFound())
        pool, verifier = self.resources()
        key = client_key(request)
        principal: Principal | None = None
        if request.method not in route.public and request.method != "OPTIONS":
            token = parse_authorization(request.headers.get("authorization"))
            try:
                if token is None:
                    raise NotAuthenticated()
                principal = await verifier.verify(token)
            except ServiceError as exc:
                # A refused credential counts against the caller's address like any anonymous
                # request (guessing tokens is not free) and says what is left.
                if not route.rate_limited:
                    return error_response(route, exc)
                refused = await self.limiter.hit(key)
                return error_response(route, exc if refused.allowed else refused.refusal(), refused.headers())
            key = principal.caller_key
        headers: dict[str, str] = {}
        if route.rate_limited:
            quota = await self.limiter.hit(key)
            headers = quota.headers()
            if not quota.allowed:
                return error_response(route, quota.refusal(), headers)
        base_url = self.upstreams.get(route.service)
        # What auth says the request revoked is refused here before the client sees the answer
        # (auth alone revokes: the header from any other upstream is dropped, never applied).
        on_revoked = partial(
            apply_revoked, verifier=verifier, principal=principal,
            session_seconds=self.settings.revocation_window_seconds,
        ) if route.service == "auth" else None  # fmt: skip
        try:
            if base_url is None:
                raise ServiceUnavailable(UPSTREAM_AWAY)
            response = await forward_http(
                pool,
                base_url,
                request,
                headers,
                origin=self.public_origin or Origin.of_request(request),
                max_body_bytes=route.max_body_bytes or self.settings.max_body_bytes,
                on_revoked=on_revoked,
            )
            return response
        except ServiceError as exc:
            return error_response(route, exc, headers)

    async def websocket(self, websocket: WebSocket) -> None:
        route = None if has_dot_segments(websocket.url.path) else self.table.resolve(websocket.url.path)
        base_url = self.upstreams.get(route.service) if route and route.websocket else None
        if route is None or base_url is None:
            await websocket.close(code=1008 if route is None else 1013)
            return
        if not (await self.limiter.hit(client_key(websocket))).allowed:
            await websocket.close(code=1013)
            return
        # WebSocket clients authenticate in their first frame (002; `shared.security.first_frame`),
        # which only the service reads: the gateway relays the socket untouched.
        await forward_websocket(base_url, websocket)

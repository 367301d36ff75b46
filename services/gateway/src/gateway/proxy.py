"""Forwarding one request (or WebSocket) to its upstream, streaming both ways."""

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import websockets
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from gateway.errors import UPSTREAM_AWAY, BadGateway, PayloadTooLarge, UpstreamTimeout
from shared.errors import ServiceUnavailable
from shared.http1 import (
    Answer,
    Upstream,
    UpstreamBroken,
    UpstreamError,
    UpstreamPool,
    UpstreamTimedOut,
    UpstreamUnreachable,
)
from shared.observability import REQUEST_ID_HEADER, current_request_id
from shared.observability.tracing import tracing_enabled
from shared.security.revoked_header import REVOKED_HEADER

logger = logging.getLogger(__name__)

# Hop-by-hop headers (RFC 9110 7.6.1) are the proxy's own business, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)

# The gateway's own server writes these on the way out; relaying them would duplicate them.
_NOT_RELAYED = (HOP_BY_HOP - {"content-length"}) | {"date", "server"}
# Said by auth to the gateway (what an answer revoked), never relayed to the client.
_PRIVATE = frozenset({REVOKED_HEADER.lower()})
# Answers up to this size are read whole and sent in one piece; larger or unsized ones stream.
_BUFFER_LIMIT = 256 * 1024


# How long an idle connection to a service is kept for reuse: well under the services' own
# keep-alive (`shared.serve.KEEP_ALIVE_SECONDS`, 75 s), since reusing one the service is closing
# fails a POST with a 502; long enough that a user's next request finds it open (a new
# connection cost a streamed answer 0.5-1 ms of its first token, issue 25).
UPSTREAM_KEEPALIVE_SECONDS = 60.0

# Set by the gateway alone: whatever a client wrote in these is dropped, never relayed.
_GATEWAY_OWNED = frozenset({"x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "forwarded", "x-real-ip"})
# A dropped pooled connection is retried once, and only where repeating cannot do harm.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Characters left as they are when a raw path is re-quoted: RFC 3986 pchar, "/" and "%".
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"


@dataclass(frozen=True)
class Origin:
    """The public scheme and host the client used: from settings, or else the gateway's own request."""

    scheme: str
    host: str

    @classmethod
    def parse(cls, public_url: str | None) -> "Origin | None":
        """The configured origin, parsed once at start-up (None when not configured)."""
        if not public_url:
            return None
        url = httpx.URL(public_url)
        return cls(url.scheme, url.netloc.decode("ascii"))

    @classmethod
    def of_request(cls, request: Request) -> "Origin":
        """As Starlette's `request.url` would say (its Host header, else the server's address),
        without building the whole URL."""
        scope = request.scope
        scheme = scope.get("scheme", "http")
        for name, value in scope["headers"]:
            if name == b"host":
                return cls(scheme, value.decode("latin-1"))
        server = scope.get("server")
        if server is None:
            return cls(scheme, "")
        host, port = server
        default = 443 if scheme in ("https", "wss") else 80
        return cls(scheme, host if port == default else f"{host}:{port}")


# Request headers never forwarded (the names as the server gives them: lower case).
_NOT_FORWARDED = frozenset(name.encode("latin-1") for name in HOP_BY_HOP | _GATEWAY_OWNED | {REQUEST_ID_HEADER.lower()})
_NOT_RELAYED_RAW = frozenset(name.encode("latin-1") for name in _NOT_RELAYED | _PRIVATE)
_REVOKED_RAW = REVOKED_HEADER.lower().encode("latin-1")
_REQUEST_ID_RAW = REQUEST_ID_HEADER.lower().encode("latin-1")
_CONTENT_LENGTH = b"content-length"
_LOCATION = b"location"
# Characters left as they are when a query is re-quoted (what httpx let through before).
_QUERY_SAFE = _PATH_SAFE + "?[]"
# What `quote` leaves alone with those safe characters (its own always-safe ones included).
_ALL_PATH_SAFE = re.compile(b"[A-Za-z0-9_.~" + re.escape(_PATH_SAFE.encode("ascii")) + b"-]*")
_ALL_QUERY_SAFE = re.compile(b"[A-Za-z0-9_.~" + re.escape(_QUERY_SAFE.encode("ascii")) + b"-]*")


def forwarded_headers(request: Request, origin: Origin) -> list[tuple[bytes, bytes]]:
    headers = [(k, v.strip()) for k, v in request.scope["headers"] if k.lower() not in _NOT_FORWARDED]
    # request.client is the address the trusted proxy in front saw (uvicorn's --proxy-headers
    # with FORWARDED_ALLOW_IPS), or the peer itself: one hop, never the chain the client wrote.
    client = request.scope.get("client")
    headers += [
        (_REQUEST_ID_RAW, (current_request_id() or "").encode("latin-1")),
        (b"x-forwarded-for", client[0].encode("latin-1") if client else b""),
        (b"x-forwarded-host", origin.host.encode("latin-1")),
        (b"x-forwarded-proto", origin.scheme.encode("latin-1")),
    ]
    return headers


def upstream_path(scope_raw_path: bytes) -> str:
    """The path as the client sent it (still percent-encoded), with anything unsafe quoted."""
    return quote(scope_raw_path.decode("latin-1"), safe=_PATH_SAFE)


def upstream_target(scope: Scope) -> bytes:
    """Path and query for the request line, as the client sent them, anything unsafe quoted."""
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8")
    query: bytes = scope.get("query_string", b"")
    # Nearly every target is safe as it came: then `quote` (Python, per character) would change nothing.
    if _ALL_PATH_SAFE.fullmatch(raw_path) and (not query or _ALL_QUERY_SAFE.fullmatch(query)):
        return raw_path + b"?" + query if query else raw_path
    target = upstream_path(raw_path)
    if query:
        target += "?" + quote(query.decode("latin-1"), safe=_QUERY_SAFE)
    return target.encode("ascii")


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(limit)
    return bytes(body)


async def forward_http(
    pool: UpstreamPool,
    base_url: str,
    request: Request,
    extra_headers: dict[str, str],
    *,
    origin: Origin,
    max_body_bytes: int,
    on_revoked: Callable[[str], None] | None = None,
) -> Response:
    """Send `request` upstream and stream the answer back chunk by chunk (SSE-safe).

    `on_revoked` gets the upstream's `X-Platform-Revoked`, if any, before the answer is returned.
    """
    method = request.method
    body = await read_body(request, max_body_bytes) if method not in ("GET", "HEAD") else None
    upstream = pool.upstream(base_url)
    target = upstream_target(request.scope)
    headers = forwarded_headers(request, origin)
    if tracing_enabled():
        with client_span(method, headers):
            answer = await _exchange(pool, upstream, method, target, headers, body)
    else:
        answer = await _exchange(pool, upstream, method, target, headers, body)
    revoked = answer.header(_REVOKED_RAW)
    if revoked is not None and on_revoked is not None:
        on_revoked(revoked.decode("latin-1"))
    extra = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in extra_headers.items()]
    replaced = {name for name, _ in extra}
    base = base_url.encode("latin-1")
    relayed: list[tuple[bytes, bytes]] = []
    length: bytes | None = None
    for name, value in answer.headers:
        name = name.lower()
        if name in _NOT_RELAYED_RAW or name in replaced:
            continue
        if name == _CONTENT_LENGTH:
            length = value
        elif name == _LOCATION and value.startswith(base):
            # A redirect built from the upstream's own address: point it at the public origin.
            value = f"{origin.scheme}://{origin.host}".encode("latin-1") + value[len(base) :]
        relayed.append((name, value))
    relayed += extra
    if length is not None and length.isdigit() and int(length) <= _BUFFER_LIMIT:
        try:
            content = await answer.read()
        except UpstreamError as exc:
            raise BadGateway() from exc
        return Relayed(answer.status, relayed, content)
    return RelayedStream(answer, relayed)


async def _exchange(
    pool: UpstreamPool,
    upstream: Upstream,
    method: str,
    target: bytes,
    headers: list[tuple[bytes, bytes]],
    body: bytes | None,
) -> Answer:
    """The answer's status and headers, a dropped pooled connection retried once where safe."""
    attempts = 2 if method in _IDEMPOTENT else 1
    for attempt in range(attempts):
        try:
            return await pool.request(upstream, method, target, headers, body)
        except UpstreamUnreachable as exc:
            raise ServiceUnavailable(UPSTREAM_AWAY) from exc
        except UpstreamTimedOut as exc:
            raise UpstreamTimeout() from exc
        except UpstreamBroken as exc:
            # Usually a pooled connection the upstream had just closed (uvicorn closes after a 500).
            if attempt + 1 == attempts:
                raise BadGateway() from exc
            logger.info("retrying on a fresh connection", extra={"error": repr(exc)})
    raise AssertionError("unreachable: the last attempt returns or raises")


class Relayed(Response):
    """A whole answer, its headers as the service sent them (filtered): nothing to compute."""

    def __init__(self, status: int, raw_headers: list[tuple[bytes, bytes]], body: bytes) -> None:
        self.status_code = status
        self.raw_headers = raw_headers
        self.body = body
        self.background = None


class RelayedStream(Response):
    """An answer relayed chunk by chunk as it arrives (SSE, large bodies).

    Each chunk goes out as soon as the service's socket gave it, with no iterator layers in
    between (Starlette's `StreamingResponse` over two async generators was most of the
    relay's own cost per event). A client that leaves ends the relay and closes the
    service's connection, so the service stops writing to nobody.
    """

    def __init__(self, answer: Answer, raw_headers: list[tuple[bytes, bytes]]) -> None:
        self.status_code = answer.status
        self.raw_headers = raw_headers
        self.background = None
        self._answer = answer
        self._client_left = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        watcher = asyncio.ensure_future(self._until_client_leaves(receive))
        try:
            await self._relay(send)
        finally:
            watcher.cancel()
            await self._answer.aclose()

    async def _relay(self, send: Send) -> None:
        answer = self._answer
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        try:
            while chunk := await answer.next_chunk():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except UpstreamError:
            if self._client_left:
                return
            # Headers are already sent; all we can do is end the body early and say so in the log.
            logger.warning("upstream stream broke", extra={"status": answer.status})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _until_client_leaves(self, receive: Receive) -> None:
        while (await receive())["type"] != "http.disconnect":
            pass
        self._client_left = True
        self._answer.close()  # wakes the relay, which ends


@contextlib.contextmanager
def client_span(method: str, headers: list[tuple[bytes, bytes]]) -> Iterator[None]:
    """With tracing on: a client span around the call, its `traceparent` sent on (what httpx's
    instrumentation did when the proxy used httpx)."""
    with trace.get_tracer(__name__).start_as_current_span(method, kind=SpanKind.CLIENT):
        carrier: dict[str, str] = {}
        propagate.inject(carrier)
        headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in carrier.items()]
        yield


async def forward_websocket(base_url: str, websocket: WebSocket) -> None:
    """Relay frames both ways until either side closes."""
    target = base_url.replace("http", "ws", 1) + websocket.url.path
    if websocket.url.query:
        target += "?" + websocket.url.query
    protocols = websocket.headers.get("sec-websocket-protocol")
    subprotocols = [Subprotocol(p.strip()) for p in protocols.split(",")] if protocols else None
    headers = {REQUEST_ID_HEADER: current_request_id() or ""}
    if auth := websocket.headers.get("authorization"):
        headers["Authorization"] = auth
    try:
        upstream = await websockets.connect(
            target,
            additional_headers=headers,
            subprotocols=subprotocols,
            open_timeout=5,
        )
    except (OSError, websockets.exceptions.WebSocketException, TimeoutError):
        await websocket.close(code=1013)  # try again later
        return
    await websocket.accept(subprotocol=upstream.subprotocol)
    async with upstream:
        await _pump(websocket, upstream)


async def _pump(client: WebSocket, upstream: ClientConnection) -> None:
    # Either side going away is how every WebSocket ends, with or without a close frame (a phone
    # losing its network sends none): a debug line, never a traceback.
    async def client_to_upstream() -> None:
        try:
            while True:
                message = await client.receive()
                if message["type"] == "websocket.disconnect":
                    logger.debug("websocket client left", extra={"code": message.get("code")})
                    return
                if message.get("text") is not None:
                    await upstream.send(message["text"])
                elif message.get("bytes") is not None:
                    await upstream.send(message["bytes"])
        except WebSocketDisconnect as exc:
            logger.debug("websocket client left", extra={"code": exc.code})
        except websockets.exceptions.ConnectionClosed:
            logger.debug("websocket upstream closed")

    async def upstream_to_client() -> None:
        try:
            async for frame in upstream:
                if isinstance(frame, str):
                    await client.send_text(frame)
                else:
                    await client.send_bytes(frame)
        except WebSocketDisconnect as exc:
            logger.debug("websocket client left", extra={"code": exc.code})
        except websockets.exceptions.ConnectionClosed:
            logger.debug("websocket upstream closed")

    tasks = [asyncio.create_task(client_to_upstream()), asyncio.create_task(upstream_to_client())]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        if (error := task.exception()) is not None:
            logger.warning("websocket relay failed", extra={"error": repr(error)})
    await upstream.close()
    # The service's close code reaches the client (4001: the token was revoked; 4008: too slow),
    # except the codes that may not be sent in a close frame (1005, 1006, 1015).
    code = upstream.close_code
    relayable = code is not None and (1000 <= code <= 1014 or 3000 <= code <= 4999) and code not in (1005, 1006)
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await client.close(code=code if relayable and code else 1000, reason=upstream.close_reason or "")

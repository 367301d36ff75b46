"""Forwarding one request (or WebSocket) to its upstream, streaming both ways."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import websockets
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from gateway.errors import UPSTREAM_AWAY, BadGateway, PayloadTooLarge, UpstreamTimeout
from shared.errors import ServiceUnavailable
from shared.observability import REQUEST_ID_HEADER, current_request_id
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
        return cls(request.url.scheme, request.url.netloc)


def forwarded_headers(request: Request, origin: Origin) -> list[tuple[str, str]]:
    headers = [
        (k, v.strip())
        for k, v in request.headers.items()
        if k not in HOP_BY_HOP and k not in _GATEWAY_OWNED and k != REQUEST_ID_HEADER.lower()
    ]
    # request.client is the address the trusted proxy in front saw (uvicorn's --proxy-headers
    # with FORWARDED_ALLOW_IPS), or the peer itself: one hop, never the chain the client wrote.
    headers += [
        (REQUEST_ID_HEADER, current_request_id() or ""),
        ("X-Forwarded-For", request.client.host if request.client else ""),
        ("X-Forwarded-Host", origin.host),
        ("X-Forwarded-Proto", origin.scheme),
    ]
    return headers


def upstream_path(scope_raw_path: bytes) -> str:
    """The path as the client sent it (still percent-encoded), with anything unsafe quoted."""
    return quote(scope_raw_path.decode("latin-1"), safe=_PATH_SAFE)


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
    client: httpx.AsyncClient,
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
    body = await read_body(request, max_body_bytes) if request.method not in ("GET", "HEAD") else None
    query = request.url.query
    url = httpx.URL(base_url + upstream_path(request.scope.get("raw_path") or request.url.path.encode()))
    if query:
        url = url.copy_with(query=query.encode("latin-1"))
    headers = forwarded_headers(request, origin)
    attempts = 2 if request.method in _IDEMPOTENT else 1
    for attempt in range(attempts):
        try:
            upstream = await client.send(
                client.build_request(request.method, url, headers=headers, content=body), stream=True
            )
            break
        except httpx.ConnectError as exc:
            raise ServiceUnavailable(UPSTREAM_AWAY) from exc
        except httpx.TimeoutException as exc:
            raise UpstreamTimeout() from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            # Usually a pooled connection the upstream had just closed (uvicorn closes after a 500).
            if attempt + 1 == attempts:
                raise BadGateway() from exc
            logger.info("retrying on a fresh connection", extra={"error": repr(exc)})
        except httpx.HTTPError as exc:
            raise BadGateway() from exc
    revoked = upstream.headers.get(REVOKED_HEADER)
    if revoked is not None and on_revoked is not None:
        on_revoked(revoked)
    headers_out = {
        k: v for k, v in upstream.headers.items() if k.lower() not in _NOT_RELAYED and k.lower() not in _PRIVATE
    }
    if "location" in headers_out and headers_out["location"].startswith(base_url):
        # A redirect built from the upstream's own address: point it at the public origin.
        headers_out["location"] = f"{origin.scheme}://{origin.host}{headers_out['location'][len(base_url) :]}"
    headers_out.update(extra_headers)
    length = upstream.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= _BUFFER_LIMIT:
        try:
            content = await upstream.aread()
        except httpx.HTTPError as exc:
            raise BadGateway() from exc
        finally:
            await upstream.aclose()
        return Response(content, status_code=upstream.status_code, headers=headers_out)
    return StreamingResponse(
        _relay_body(upstream),
        status_code=upstream.status_code,
        headers=headers_out,
        background=BackgroundTask(upstream.aclose),
    )


async def _relay_body(upstream: httpx.Response):  # type: ignore[no-untyped-def]
    try:
        async for chunk in upstream.aiter_raw():
            yield chunk
    except httpx.HTTPError:
        # Headers are already sent; all we can do is end the body early and say so in the log.
        logger.warning("upstream stream broke", extra={"status": upstream.status_code})


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

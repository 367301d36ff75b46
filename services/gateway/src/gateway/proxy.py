"""Forwarding one request (or WebSocket) to its upstream, streaming both ways."""

import asyncio
import contextlib
import logging

import httpx
import websockets
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.websockets import WebSocket, WebSocketDisconnect
from websockets.asyncio.client import ClientConnection
from websockets.typing import Subprotocol

from shared.errors import ServiceError
from shared.observability import REQUEST_ID_HEADER, current_request_id

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
# Answers up to this size are read whole and sent in one piece; larger or unsized ones stream.
_BUFFER_LIMIT = 256 * 1024


class UpstreamUnavailable(ServiceError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"
    message = "El servicio no está disponible. Intente de nuevo en unos segundos."


class UpstreamTimeout(ServiceError):
    status_code = 504
    code = "GATEWAY_TIMEOUT"
    message = "El servicio no respondió a tiempo."


class BadGateway(ServiceError):
    status_code = 502
    code = "BAD_GATEWAY"
    message = "El servicio respondió de forma inválida."


def forwarded_headers(request: Request) -> list[tuple[str, str]]:
    headers = [(k, v) for k, v in request.headers.items() if k not in HOP_BY_HOP and k != REQUEST_ID_HEADER.lower()]
    client = request.client.host if request.client else ""
    prior = request.headers.get("x-forwarded-for")
    headers += [
        (REQUEST_ID_HEADER, current_request_id() or ""),
        ("X-Forwarded-For", f"{prior}, {client}" if prior else client),
        ("X-Forwarded-Host", request.headers.get("host", "")),
        ("X-Forwarded-Proto", request.url.scheme),
    ]
    return headers


async def forward_http(
    client: httpx.AsyncClient, base_url: str, request: Request, extra_headers: dict[str, str]
) -> Response:
    """Send `request` upstream and stream the answer back chunk by chunk (SSE-safe)."""
    query = request.url.query
    url = httpx.URL(base_url + request.url.path + (f"?{query}" if query else ""))
    upstream_request = client.build_request(
        request.method,
        url,
        headers=forwarded_headers(request),
        content=request.stream() if request.method not in ("GET", "HEAD") else None,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.ConnectError as exc:
        raise UpstreamUnavailable() from exc
    except httpx.TimeoutException as exc:
        raise UpstreamTimeout() from exc
    except httpx.HTTPError as exc:
        raise BadGateway() from exc
    headers = {k: v for k, v in upstream.headers.items() if k.lower() not in _NOT_RELAYED}
    headers.update(extra_headers)
    length = upstream.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) <= _BUFFER_LIMIT:
        try:
            body = await upstream.aread()
        except httpx.HTTPError as exc:
            raise BadGateway() from exc
        finally:
            await upstream.aclose()
        return Response(body, status_code=upstream.status_code, headers=headers)
    return StreamingResponse(
        _relay_body(upstream),
        status_code=upstream.status_code,
        headers=headers,
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
    async def client_to_upstream() -> None:
        with contextlib.suppress(WebSocketDisconnect):
            while True:
                message = await client.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") is not None:
                    await upstream.send(message["text"])
                elif message.get("bytes") is not None:
                    await upstream.send(message["bytes"])

    async def upstream_to_client() -> None:
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):
            async for frame in upstream:
                if isinstance(frame, str):
                    await client.send_text(frame)
                else:
                    await client.send_bytes(frame)

    tasks = [asyncio.create_task(client_to_upstream()), asyncio.create_task(upstream_to_client())]
    _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    await upstream.close()
    with contextlib.suppress(RuntimeError):
        await client.close()

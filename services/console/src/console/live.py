"""Live relays: a console SSE route that relays the platform's WebSocket or SSE stream to the
browser, as the signed-in user, with the platform's event ids.

A page's live endpoint is an async generator of `LiveEvent`s (read from `gw.websocket(...)` or
`gw.stream(...)`, `upstream_events` parses the latter) that yields `OPEN` once its upstream is
open, handed to `live_response`:

    @router.get("/live/")
    async def live(request: Request, gw: GatewayDep) -> StreamingResponse:
        async def events() -> AsyncIterator[LiveItem]:
            async with gw.stream("GET", "/api/...", params={"last_event_id": last_event_id(request)}) as up:
                yield OPEN
                async for event in upstream_events(up):
                    yield event
        return await live_response(events())

The browser's `consoleLive(url, ...)` (static/console.js) shows the connection's state and
resumes with `Last-Event-ID` by itself. "Conectado" means the upstream is open: until then a
refusal is an error status (503: "Sin conexión", and consoleLive retries). When the upstream
refuses the user's token the relay sends the event `signed-out` (the page goes to the login)
and ends; when the upstream goes away it ends, and the browser reconnects ("Reconectando…").
"""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import websockets
from starlette.requests import Request
from starlette.responses import StreamingResponse

from console.errors import ApiError, GatewayUnavailable, NotSignedIn

__all__ = ["OPEN", "SIGNED_OUT", "LiveEvent", "LiveItem", "Open", "last_event_id", "live_response", "upstream_events"]

logger = logging.getLogger(__name__)

# The browser waits this long before reconnecting after a relay ends (EventSource's `retry:`).
RETRY_MS = 2000
# A comment line this often keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class LiveEvent:
    """One event for the browser: `data` (a str as is, anything else as JSON), the platform's
    event `id` (what `Last-Event-ID` resumes from), and an `event` name (None: "message")."""

    data: Any
    id: str | None = None
    event: str | None = None

    def encode(self) -> bytes:
        text = self.data if isinstance(self.data, str) else json.dumps(self.data, ensure_ascii=False)
        lines = []
        if self.id is not None:
            lines.append(f"id: {_one_line(self.id)}")
        if self.event is not None:
            lines.append(f"event: {_one_line(self.event)}")
        lines += [f"data: {line}" for line in text.split("\n")]
        return ("\n".join(lines) + "\n\n").encode()


def _one_line(value: str) -> str:
    return value.replace("\r", " ").replace("\n", " ")


def last_event_id(request: Request) -> str | None:
    """Where the browser resumes: its `Last-Event-ID` header (EventSource reconnecting), else a
    `last_event_id` query parameter (a page opening the stream from what it last rendered)."""
    return request.headers.get("last-event-id") or request.query_params.get("last_event_id") or None


async def upstream_events(response: httpx.Response) -> AsyncIterator[LiveEvent]:
    """The events of an upstream SSE answer (`gw.stream(...)`), ids and names kept."""
    data: list[str] = []
    event_id: str | None = None
    name: str | None = None
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield LiveEvent("\n".join(data), id=event_id, event=name)
            data, event_id, name = [], None, None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "id":
            event_id = value
        elif field == "event":
            name = value
    if data:
        yield LiveEvent("\n".join(data), id=event_id, event=name)


class Open:
    def __repr__(self) -> str:
        return "OPEN"


# Yielded by a page's generator once its upstream is open: the browser is then told
# "connected" (an HTTP 200); a refusal before it answers an error status instead.
OPEN = Open()
LiveItem = LiveEvent | Open
_END = object()
# What ends a relay because the upstream went away: the browser reconnects and resumes.
_UPSTREAM_GONE = (GatewayUnavailable, ApiError, httpx.HTTPError, OSError, websockets.exceptions.WebSocketException)


class _Relay:
    """The source read by a task of its own, so that a quiet upstream can be interleaved with
    keep-alive comments without cancelling the source mid-read."""

    def __init__(self, events: AsyncIterable[LiveItem]) -> None:
        self.queue: asyncio.Queue[object] = asyncio.Queue(maxsize=100)
        self.task = asyncio.create_task(self._pump(events), name="console-live-pump")
        self.first: object = None

    async def _pump(self, events: AsyncIterable[LiveItem]) -> None:
        try:
            async for event in events:
                await self.queue.put(event)
        except Exception as exc:  # handed to the relay, which says what it means
            await self.queue.put(exc)
        else:
            await self.queue.put(_END)

    async def opened(self, timeout: float) -> None:
        """Wait for the upstream: its refusal raises here (so the browser gets an error status,
        not a "connected" stream); a quiet upstream that says nothing within `timeout` counts as open."""
        try:
            self.first = await asyncio.wait_for(self.queue.get(), timeout=timeout)
        except TimeoutError:
            self.first = OPEN
            return
        if isinstance(self.first, BaseException):
            await self.close()
            raise self.first

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def body(self, keepalive_seconds: float) -> AsyncIterator[bytes]:
        try:
            yield f"retry: {RETRY_MS}\n\n".encode()
            item = self.first
            while True:
                if item is _END:
                    return
                if isinstance(item, NotSignedIn):
                    yield SIGNED_OUT
                    return
                if isinstance(item, _UPSTREAM_GONE):
                    logger.info("live relay ended", extra={"error": repr(item)})
                    return
                if isinstance(item, BaseException):
                    raise item
                if isinstance(item, LiveEvent):
                    yield item.encode()
                try:
                    item = await asyncio.wait_for(self.queue.get(), timeout=keepalive_seconds)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    item = None
        finally:
            await self.close()


SIGNED_OUT = LiveEvent({"reason": "signed-out"}, event="signed-out").encode()


async def live_response(
    events: AsyncIterable[LiveItem], *, keepalive_seconds: float = KEEPALIVE_SECONDS, open_timeout: float = 5.0
) -> StreamingResponse:
    """An SSE answer relaying `events` (a page's generator; it yields `OPEN` once its upstream
    is open). A refusal before that raises here (`NotSignedIn`, `GatewayUnavailable`, ...), and
    the console's handlers answer it; after it, it ends the stream. The source is closed when
    the browser goes away."""
    relay = _Relay(events)
    await relay.opened(open_timeout)
    return StreamingResponse(
        relay.body(keepalive_seconds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )

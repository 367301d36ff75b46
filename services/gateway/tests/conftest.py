import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import StreamingResponse

from devstack.pytest_plugin import serve_in_thread
from devstack.stack import Stack
from gateway.config import Settings
from gateway.main import create_app
from gateway.routes import ROUTES, Route
from shared.errors import ErrorStyle
from shared.routes import ANY

SSE_EVENTS = [{"type": "thinking"}, {"type": "message", "content": "hola"}, {"type": "done"}]
SSE_GAP_SECONDS = 0.4


def probe_app() -> FastAPI:
    """A plain upstream on loopback for what no service serves yet: slow SSE and a WebSocket echo."""
    app = FastAPI()

    @app.get("/probe/sse")
    async def sse() -> StreamingResponse:
        async def events() -> AsyncIterator[bytes]:
            for event in SSE_EVENTS:
                yield f"data: {json.dumps(event)}\n\n".encode()
                await asyncio.sleep(SSE_GAP_SECONDS)

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.get("/probe/slow")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(5)
        return {"late": "yes"}

    @app.api_route("/probe/echo", methods=["GET", "POST"])
    async def echo_request(request: Request) -> dict[str, object]:
        return {
            "headers": dict(request.headers),
            "path": request.scope["raw_path"].decode(),
            "size": len(await request.body()),
        }

    @app.websocket("/probe/ws")
    async def echo(websocket: WebSocket) -> None:
        await websocket.accept()
        async for text in websocket.iter_text():
            await websocket.send_text(f"echo:{text}")

    @app.websocket("/probe/ws-stream")
    async def stream(websocket: WebSocket) -> None:
        """Frames every few milliseconds until the client goes: a token stream to a phone."""
        await websocket.accept()
        with contextlib.suppress(Exception):
            for n in range(500):
                await websocket.send_text(f"frame:{n}")
                await asyncio.sleep(0.01)

    return app


PROBE_ROUTES = [
    *ROUTES,
    Route("/probe/", "probe", ErrorStyle.AGENT, prefix=True, public=ANY),
    Route("/probe/ws", "probe", ErrorStyle.AGENT, websocket=True),
    Route("/probe/ws-stream", "probe", ErrorStyle.AGENT, websocket=True),
]


@pytest.fixture(scope="session")
def probe_url() -> Iterator[str]:
    with serve_in_thread(probe_app()) as url:
        yield url


def gateway_settings(stack: Stack, probe: str, **overrides: object) -> Settings:
    upstreams = {"auth": stack.url("auth"), "probe": probe}
    overrides.setdefault("rate_limit_bucket", f"test-{secrets.token_hex(4)}")  # counts of its own
    overrides.setdefault("admin_port", None)  # the stack's gateway has the admin port
    return Settings(
        upstreams=upstreams,
        nats_url=stack.nats_url,
        jwks_url=f"{stack.url('auth')}/.well-known/jwks.json",
        **overrides,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def sse_events() -> list[dict[str, str]]:
    return SSE_EVENTS


@pytest.fixture(scope="session")
def sse_gap() -> float:
    return SSE_GAP_SECONDS


GatewayFactory = Callable[..., contextlib.AbstractContextManager[str]]


@pytest.fixture(scope="session")
def make_gateway(platform_stack: Stack, probe_url: str) -> GatewayFactory:
    """Start another in-process gateway with settings overridden (and, with `clock`, its rate
    limit's time); a context manager yielding its URL."""

    def start(clock: Callable[[], float] = time.time, **overrides: object) -> contextlib.AbstractContextManager[str]:
        settings = gateway_settings(platform_stack, probe_url, **overrides)
        return serve_in_thread(create_app(settings, PROBE_ROUTES, clock=clock))

    return start


@pytest.fixture(scope="session")
def probe_gateway(platform_stack: Stack, probe_url: str) -> Iterator[str]:
    """A gateway in this process with the probe routes added and a 1 s read timeout."""
    settings = gateway_settings(platform_stack, probe_url, read_timeout_seconds=1.0, rate_limit_per_minute=1000)
    with serve_in_thread(create_app(settings, PROBE_ROUTES)) as url:
        yield url


class ManualClock:
    """Unix seconds that stand still until a test moves them on: rate-limit windows without waiting."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> ManualClock:
    """Stopped at the start of the current minute's window (so no test straddles a reset)."""
    now = time.time()
    return ManualClock(now - now % 60)

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from devstack.pytest_plugin import serve_in_thread
from devstack.waiting import eventually


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A webhook receiver on loopback: each path answers the statuses scripted for it, in turn
    (the last one repeats), and every request is kept."""

    url: str = ""
    script: dict[str, list[int]] = field(default_factory=dict)
    requests: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def on(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    async def wait_for(self, path: str, count: int, seconds: float = 20) -> list[Received]:
        async def arrived() -> list[Received] | None:
            received = self.on(path)
            return received if len(received) >= count else None

        return await eventually(arrived, f"{count} requests at {path}", seconds=seconds)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    async def receive(request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        with state.lock:
            seen = sum(1 for r in state.requests if r.path == path)
            state.requests.append(Received(path, dict(request.headers), body, time.monotonic()))
            statuses = state.script.get(path, [204])
        return Response(status_code=statuses[min(seen, len(statuses) - 1)])

    app = Starlette(routes=[Route("/{name:path}", receive, methods=["POST"])])
    with serve_in_thread(app) as url:
        state.url = url
        yield state


@pytest.fixture
def webhook_body() -> Any:
    def make(url: str, events: list[str], **extra: Any) -> dict[str, Any]:
        return {"url": url, "events": events, **extra}

    return make

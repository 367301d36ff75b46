"""Streaming, WebSockets, timeouts and rate limits, through an in-process gateway."""

import asyncio
import gc
import json
import logging
import secrets
import time
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from .conftest import ManualClock


async def test_sse_events_are_flushed_as_they_arrive(
    probe_gateway: str, sse_events: list[dict[str, str]], sse_gap: float
) -> None:
    arrivals: list[tuple[float, dict[str, object]]] = []
    started = time.monotonic()
    async with httpx.AsyncClient() as client, client.stream("GET", f"{probe_gateway}/probe/sse") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                arrivals.append((time.monotonic() - started, json.loads(line[6:])))
    assert [event for _, event in arrivals] == sse_events
    # The first event reaches the client long before the upstream has finished.
    assert arrivals[0][0] < sse_gap
    assert arrivals[-1][0] >= 2 * sse_gap * 0.9


async def test_slow_upstream_times_out_with_504_not_a_hang(probe_gateway: str) -> None:
    started = time.monotonic()
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{probe_gateway}/probe/slow")
    assert response.status_code == 504
    assert response.json()["error"]["code"] == "GATEWAY_TIMEOUT"
    assert time.monotonic() - started < 3


async def test_websocket_frames_are_relayed_both_ways(probe_gateway: str) -> None:
    async with connect(probe_gateway.replace("http", "ws") + "/probe/ws") as ws:
        await ws.send("hola")
        assert await ws.recv() == "echo:hola"
        await ws.send("otra")
        assert await ws.recv() == "echo:otra"


async def test_a_client_dropping_its_websocket_without_a_close_frame_is_no_error(
    probe_gateway: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with connect(probe_gateway.replace("http", "ws") + "/probe/ws-stream") as ws:
        assert str(await ws.recv()).startswith("frame:")
        ws.transport.abort()  # the TCP connection drops: no close frame, as a phone losing its network
    await asyncio.sleep(0.5)  # the gateway keeps relaying frames into the dead connection meanwhile
    gc.collect()  # an unretrieved task exception is logged when the task is collected
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert loud == [], [r.getMessage() for r in loud]


async def test_excess_requests_get_429_in_the_agent_error_shape(make_gateway: Any, clock: ManualClock) -> None:
    with make_gateway(rate_limit_per_minute=3, clock=clock) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            remaining = [
                int((await client.get("/.well-known/jwks.json")).headers["X-RateLimit-Remaining"]) for _ in range(3)
            ]
            refused = await client.get("/.well-known/jwks.json")
    assert refused.status_code == 429
    assert remaining == [2, 1, 0]
    assert refused.json()["error"]["code"] == "RATE_LIMITED"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert refused.headers["X-RateLimit-Limit"] == "3"
    assert refused.headers["X-RateLimit-Reset"] == str(int(clock()) + 60)


async def test_the_next_window_allows_requests_again(make_gateway: Any, clock: ManualClock) -> None:
    with make_gateway(rate_limit_per_minute=1, clock=clock) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            allowed = await client.get("/.well-known/jwks.json")
            refused = await client.get("/.well-known/jwks.json")
            clock.advance(59)
            still_refused = await client.get("/.well-known/jwks.json")
            clock.advance(1)
            renewed = await client.get("/.well-known/jwks.json")
    assert [r.status_code for r in (allowed, refused, still_refused, renewed)] == [200, 429, 429, 200]
    assert renewed.headers["X-RateLimit-Remaining"] == "0"


async def test_refused_credentials_and_the_welcome_page_count_and_say_the_quota(
    make_gateway: Any, clock: ManualClock
) -> None:
    with make_gateway(rate_limit_per_minute=5, clock=clock) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            welcome = await client.get("/")
            anonymous = await client.get("/auth/me/")
            forged = await client.get("/auth/me/", headers={"Authorization": "Bearer not-a-token"})
            health = await client.get("/healthz")
            last = await client.get("/")
            await client.get("/auth/me/")  # the fifth: the last allowed
            over = await client.get("/auth/me/")
            page_over = await client.get("/")
    assert welcome.status_code == 200
    assert welcome.headers["X-RateLimit-Limit"] == "5"
    assert [anonymous.status_code, forged.status_code] == [401, 401]
    assert [r.headers["X-RateLimit-Remaining"] for r in (welcome, anonymous, forged)] == ["4", "3", "2"]
    assert "X-RateLimit-Remaining" not in health.headers
    assert last.headers["X-RateLimit-Remaining"] == "1"
    assert over.status_code == 429
    assert over.headers["X-RateLimit-Remaining"] == "0"
    assert page_over.status_code == 429


async def test_the_limit_holds_in_total_across_gateway_replicas(make_gateway: Any, clock: ManualClock) -> None:
    bucket = f"two-replicas-{secrets.token_hex(4)}"
    with (
        make_gateway(rate_limit_per_minute=6, rate_limit_bucket=bucket, clock=clock) as first,
        make_gateway(rate_limit_per_minute=6, rate_limit_bucket=bucket, clock=clock) as second,
    ):
        async with httpx.AsyncClient() as client:
            statuses = [(await client.get(f"{url}/.well-known/jwks.json")).status_code for url in [first, second] * 5]
    assert statuses == [200] * 6 + [429] * 4

"""What bots tells Prometheus: open sockets and streams, provider latency and failures."""

from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from auth.testing import Workspace, auth_header
from bots.testing import LoopbackProvider
from devstack.stack import Stack
from devstack.waiting import eventually


async def scraped(stack: Stack, name: str, **labels: str) -> float:
    """The sum of `name`'s samples whose labels include `labels`, read from bots' /metrics."""
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(stack.url("bots") + "/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


async def test_an_open_socket_counts_until_it_closes(platform_stack: Stack) -> None:
    labels = {"service": "bots", "endpoint": "/ws", "kind": "websocket"}
    before = await scraped(platform_stack, "live_connections_open", **labels)
    async with connect(platform_stack.url("bots").replace("http://", "ws://") + "/ws"):

        async def opened() -> bool:
            return await scraped(platform_stack, "live_connections_open", **labels) == before + 1

        await eventually(opened, "the socket counted as open", seconds=5)

    async def closed() -> bool:
        return await scraped(platform_stack, "live_connections_open", **labels) == before

    await eventually(closed, "the socket no longer counted", seconds=5)


async def test_provider_calls_are_timed_and_failures_counted(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any, platform_stack: Stack
) -> None:
    await integrate("anthropic")
    owner = auth_header(workspace.owner_token)
    calls = {"provider": "anthropic", "family": "claude", "outcome": "ok"}
    before = await scraped(platform_stack, "bots_provider_call_duration_seconds_count", **calls)
    answered = await gateway.post("/api/ai/chat/", json={"prompt": "hola", "model": "claude-3.5"}, headers=owner)
    assert answered.status_code == 200, answered.text
    assert await scraped(platform_stack, "bots_provider_call_duration_seconds_count", **calls) == before + 1
    first = await scraped(
        platform_stack, "bots_provider_first_item_seconds_count", provider="anthropic", family="claude"
    )
    assert first >= 1

    failures = {"provider": "anthropic", "reason": "server_error"}
    before = await scraped(platform_stack, "bots_provider_failures_total", **failures)
    failing = await gateway.post("/api/ai/chat/", json={"prompt": "hola", "model": "claude-fail500"}, headers=owner)
    assert failing.status_code == 502
    assert await scraped(platform_stack, "bots_provider_failures_total", **failures) == before + 1

"""What chat tells Prometheus: the desk's open sockets, per replica."""

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from devstack.stack import Stack
from devstack.waiting import eventually

LABELS = {"service": "chat", "endpoint": "/api/chat/ws/", "kind": "websocket"}


async def open_sockets(stack: Stack) -> float:
    async with httpx.AsyncClient(timeout=5) as client:
        text = (await client.get(stack.url("chat") + "/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "live_connections_open" and LABELS.items() <= sample.labels.items()
    )


async def test_a_desk_socket_counts_while_open(platform_stack: Stack) -> None:
    before = await open_sockets(platform_stack)

    async def counted(expected: float) -> bool:
        return await open_sockets(platform_stack) == expected

    async with connect(platform_stack.url("chat").replace("http://", "ws://") + "/api/chat/ws/"):
        await eventually(lambda: counted(before + 1), "the open socket was never counted", seconds=5)
    await eventually(lambda: counted(before), "the closed socket was still counted", seconds=5)

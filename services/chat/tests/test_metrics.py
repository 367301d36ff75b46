"""What chat tells Prometheus: the desk's open sockets, per replica."""

import httpx
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect

from devstack.processes import eventually
from devstack.stack import Stack

LABELS = {"service": "chat", "endpoint": "/api/chat/ws/", "kind": "websocket"}


def open_sockets(stack: Stack) -> float:
    text = httpx.get(stack.url("chat") + "/metrics", timeout=5).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "live_connections_open" and LABELS.items() <= sample.labels.items()
    )


async def test_a_desk_socket_counts_while_open(platform_stack: Stack) -> None:
    before = open_sockets(platform_stack)
    async with connect(platform_stack.url("chat").replace("http://", "ws://") + "/api/chat/ws/"):
        assert eventually(lambda: open_sockets(platform_stack) == before + 1, 5)
    assert eventually(lambda: open_sockets(platform_stack) == before, 5)

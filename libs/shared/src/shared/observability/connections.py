"""How many long-lived connections a replica holds open: Server-Sent Events and text streams
(bots' answers) and WebSockets (bots' `/ws`, chat's desk). A gauge per replica, raised when
a connection is accepted and lowered when it ends however it ends."""

import contextlib
from collections.abc import Iterator
from typing import Literal

from prometheus_client import Gauge

Kind = Literal["sse", "text_stream", "websocket"]

OPEN_CONNECTIONS = Gauge(
    "live_connections_open", "Long-lived connections open on this replica", ["service", "endpoint", "kind"]
)


@contextlib.contextmanager
def held_open(service: str, endpoint: str, kind: Kind) -> Iterator[None]:
    """Count one connection of `endpoint` (a route template, never a raw path) while inside."""
    gauge = OPEN_CONNECTIONS.labels(service, endpoint, kind)
    gauge.inc()
    try:
        yield
    finally:
        gauge.dec()

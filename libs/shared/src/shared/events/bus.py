"""Connecting to NATS and the stream-per-prefix convention."""

import logging

import nats
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError

logger = logging.getLogger(__name__)

# Window inside which JetStream drops a message whose Nats-Msg-Id it has already stored.
DUPLICATE_WINDOW_SECONDS = 120.0


def stream_for_subject(subject: str) -> tuple[str, str]:
    """`auth.token.revoked` lives in stream `AUTH` which captures `auth.>`."""
    prefix = subject.split(".", 1)[0]
    return prefix.upper(), f"{prefix}.>"


async def connect_nats(url: str, *, name: str) -> NATS:
    """A client that keeps reconnecting forever: a NATS restart must not kill a service."""

    async def on_error(exc: Exception) -> None:
        logger.warning("nats error", extra={"error": str(exc)})

    return await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        drain_timeout=5,
        error_cb=on_error,
    )


async def ensure_stream(js: JetStreamContext, subject: str) -> str:
    """Create the stream for `subject`'s prefix if missing; returns its name."""
    name, wildcard = stream_for_subject(subject)
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=[wildcard],
                storage=StorageType.FILE,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            )
        )
    return name

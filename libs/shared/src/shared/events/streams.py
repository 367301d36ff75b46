"""Every JetStream stream the suite creates, sized in one place.

The replica count is one deployment-wide setting, `STREAM_REPLICAS`: 1 for `make run` and
the tests, 3 on a production cluster (R3 survives the loss of one NATS server). Storage, the
duplicate window and the counters' retention are decided here and nowhere else. A stream
created with fewer replicas than configured is updated to the configured count at start-up.
"""

import asyncio
import logging
import time
from dataclasses import dataclass

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import NotFoundError, ServiceUnavailableError

logger = logging.getLogger(__name__)

__all__ = ["StreamPolicy", "configure_streams", "counter_stream", "ensure", "event_stream", "policy", "replay_stream"]


@dataclass(frozen=True)
class StreamPolicy:
    replicas: int = 1
    # Inside this window JetStream drops a message whose Nats-Msg-Id it already stored.
    duplicate_window_seconds: float = 120.0


_policy = StreamPolicy()


def configure_streams(replicas: int) -> None:
    """At start-up, from the service's settings (`STREAM_REPLICAS`)."""
    global _policy
    _policy = StreamPolicy(replicas=replicas)


def policy() -> StreamPolicy:
    return _policy


def event_stream(name: str, subjects: list[str]) -> StreamConfig:
    """Domain events and readings: on disk, kept (consumers replay from the start)."""
    return StreamConfig(
        name=name,
        subjects=subjects,
        storage=StorageType.FILE,
        duplicate_window=_policy.duplicate_window_seconds,
        num_replicas=_policy.replicas,
    )


def counter_stream(name: str, subjects: list[str], *, max_age_seconds: float) -> StreamConfig:
    """Shared counters (`shared.counters`): in memory, atomic increments, short-lived."""
    return StreamConfig(
        name=name,
        subjects=subjects,
        storage=StorageType.MEMORY,
        allow_msg_counter=True,
        max_age=max_age_seconds,
        num_replicas=_policy.replicas,
    )


def replay_stream(name: str, subjects: list[str], *, max_age_seconds: float) -> StreamConfig:
    """Short replay buffers (an answer being streamed, for a client that reconnects): in memory,
    gone after `max_age_seconds`."""
    return StreamConfig(
        name=name,
        subjects=subjects,
        storage=StorageType.MEMORY,
        max_age=max_age_seconds,
        num_replicas=_policy.replicas,
    )


async def ensure(js: JetStreamContext, config: StreamConfig, *, patience_seconds: float = 60.0) -> None:
    """Create the stream, or bring an existing one to the configured replica count.

    A JetStream that does not answer yet (a cluster still electing its leader, a server busy
    starting) is asked again with backoff for `patience_seconds`, so a service that starts
    alongside it waits instead of failing its start-up.
    """
    deadline = time.monotonic() + patience_seconds
    delay = 0.2
    while True:
        try:
            await _ensure_once(js, config)
            return
        except (nats.errors.TimeoutError, ServiceUnavailableError):
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("jetstream not answering yet", extra={"stream": config.name})
            await asyncio.sleep(delay)
            delay = min(delay * 2, 5.0)


async def _ensure_once(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        info = await js.stream_info(config.name or "")
    except NotFoundError:
        await js.add_stream(config)
        return
    if (info.config.num_replicas or 1) != (config.num_replicas or 1):
        await js.update_stream(config)

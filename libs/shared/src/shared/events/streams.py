"""Every JetStream stream the suite creates, sized in one place.

The replica count is one deployment-wide setting, `STREAM_REPLICAS`: 1 for `make run` and
the tests, 3 on a production cluster (R3 survives the loss of one NATS server). Storage, the
duplicate window, and each stream's age and byte limits are decided here and nowhere else. A
stream whose replicas or limits differ from these is updated to them at start-up.

What each kind of stream holds decides its limits (the README's "What is kept, and for how long"):

- Catalogue events (`AUTH`, `AGRO`): members, fields, plans; few and small, and the history a
  consumer added later builds its read model from, so kept with no age limit, at most 1 GiB
  each. A full one refuses new events (`DiscardPolicy.NEW`) rather than drop history: the outbox
  keeps them, the relay retries, and `OutboxStuck` fires.
- Activity events (`BOTS`, `BRAIN`, `CHAT`, `WEBHOOKS`, and any other): one per message, answer
  or suggestion, read within milliseconds by consumers that keep up; 30 days, at most 2 GiB
  (`CHAT`, `BOTS`) or 1 GiB, the oldest dropped first. Refusing new ones would stall every write
  of a busy desk for as long as its oldest events take to age out.
- Readings (`INGEST`): many; a buffer until brain stores them, so long enough for an outage
  (3 days), at most 8 GiB; full, ingest answers 503 and nodes post again.
- Dead letters (`DEADLETTER`): kept `DEAD_LETTER_RETENTION_SECONDS` (14 days) to be listed and
  replayed (`shared.events.deadletters`); the oldest go first past 256 MiB.
- Counters and replay buffers: in memory, short-lived; the oldest go first past 64 MiB.

JetStream reserves each stream's byte limit from the server's `max_file_store` (memory streams
from `max_memory_store`) and refuses a stream that does not fit: the six domain streams, readings
and dead letters reserve 16.25 GiB, inside production's 18G per server (`deploy/k8s`).
"""

import asyncio
import logging
import time
from dataclasses import dataclass

import nats.errors
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StorageType, StreamConfig
from nats.js.errors import NotFoundError, ServiceUnavailableError

logger = logging.getLogger(__name__)

__all__ = [
    "DEAD_LETTER_STREAM",
    "StreamLimits",
    "StreamPolicy",
    "configure_streams",
    "counter_stream",
    "ensure",
    "event_stream",
    "limits_of",
    "policy",
    "replay_stream",
]

DAY = 24 * 3600.0
GIB = 1024**3
MIB = 1024**2
DEAD_LETTER_STREAM = "DEADLETTER"  # `deadletter.>`: the prefix of `shared.events.consumer`
READINGS_STREAM = "INGEST"
CATALOGUE_STREAMS = frozenset({"AUTH", "AGRO"})
CATALOGUE_MAX_BYTES = 1 * GIB
ACTIVITY_MAX_AGE_SECONDS = 30 * DAY
ACTIVITY_MAX_BYTES = {"CHAT": 2 * GIB, "BOTS": 2 * GIB}
ACTIVITY_DEFAULT_MAX_BYTES = 1 * GIB
READINGS_MAX_AGE_SECONDS = 3 * DAY
READINGS_MAX_BYTES = 8 * GIB
DEAD_LETTER_MAX_BYTES = 256 * MIB
MEMORY_MAX_BYTES = 64 * MIB


@dataclass(frozen=True)
class StreamLimits:
    max_age_seconds: float
    max_bytes: int
    # NEW: a full stream refuses what comes (its publisher keeps it and retries); OLD: it drops its oldest.
    discard: DiscardPolicy


@dataclass(frozen=True)
class StreamPolicy:
    replicas: int = 1
    # Inside this window JetStream drops a message whose Nats-Msg-Id it already stored.
    duplicate_window_seconds: float = 120.0
    dead_letter_max_age_seconds: float = 14 * DAY


_policy = StreamPolicy()


def configure_streams(replicas: int, *, dead_letter_max_age_seconds: float = 14 * DAY) -> None:
    """At start-up, from the service's settings (`STREAM_REPLICAS`, `DEAD_LETTER_RETENTION_SECONDS`)."""
    global _policy
    _policy = StreamPolicy(replicas=replicas, dead_letter_max_age_seconds=dead_letter_max_age_seconds)


def policy() -> StreamPolicy:
    return _policy


def limits_of(name: str) -> StreamLimits:
    """The limits of the event stream `name` (see the module's docstring)."""
    if name == DEAD_LETTER_STREAM:
        return StreamLimits(_policy.dead_letter_max_age_seconds, DEAD_LETTER_MAX_BYTES, DiscardPolicy.OLD)
    if name == READINGS_STREAM:
        return StreamLimits(READINGS_MAX_AGE_SECONDS, READINGS_MAX_BYTES, DiscardPolicy.NEW)
    if name in CATALOGUE_STREAMS:
        return StreamLimits(0.0, CATALOGUE_MAX_BYTES, DiscardPolicy.NEW)  # 0: no age limit
    return StreamLimits(
        ACTIVITY_MAX_AGE_SECONDS, ACTIVITY_MAX_BYTES.get(name, ACTIVITY_DEFAULT_MAX_BYTES), DiscardPolicy.OLD
    )


def event_stream(name: str, subjects: list[str]) -> StreamConfig:
    """Domain events, readings and dead letters: on disk, kept as `limits_of(name)` says
    (consumers replay from the start of what is kept)."""
    limits = limits_of(name)
    return StreamConfig(
        name=name,
        subjects=subjects,
        storage=StorageType.FILE,
        duplicate_window=_policy.duplicate_window_seconds,
        num_replicas=_policy.replicas,
        max_age=limits.max_age_seconds,
        max_bytes=limits.max_bytes,
        discard=limits.discard,
    )


def counter_stream(name: str, subjects: list[str], *, max_age_seconds: float) -> StreamConfig:
    """Shared counters (`shared.counters`): in memory, atomic increments, short-lived."""
    return StreamConfig(
        name=name,
        subjects=subjects,
        storage=StorageType.MEMORY,
        allow_msg_counter=True,
        max_age=max_age_seconds,
        max_bytes=MEMORY_MAX_BYTES,
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
        max_bytes=MEMORY_MAX_BYTES,
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
    if _sized(info.config) != _sized(config):
        await js.update_stream(config)


def _sized(config: StreamConfig) -> tuple[int, float, int, DiscardPolicy]:
    """What `ensure` keeps up to date (JetStream says 0 and -1 where a limit is unset)."""
    return (
        config.num_replicas or 1,
        round(config.max_age or 0.0, 3),
        config.max_bytes if config.max_bytes and config.max_bytes > 0 else -1,
        config.discard or DiscardPolicy.OLD,
    )

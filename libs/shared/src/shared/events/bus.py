"""Connecting to NATS and the stream-per-prefix convention."""

import asyncio
import contextlib
import logging
import weakref
from collections.abc import Awaitable, Callable

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from shared.events import streams

logger = logging.getLogger(__name__)


def stream_for_subject(subject: str) -> tuple[str, str]:
    """`auth.token.revoked` lives in stream `AUTH` which captures `auth.>`."""
    prefix = subject.split(".", 1)[0]
    return prefix.upper(), f"{prefix}.>"


# Run after a client made by `connect_nats` has reconnected (awaited in nats-py's reconnecting
# task: a hook that has more to do than set a flag should start a task of its own).
ReconnectHook = Callable[[], Awaitable[None]]


class _Reconnects:
    """A client's reconnect hooks, and the event its next reconnection sets."""

    def __init__(self) -> None:
        self.hooks: list[ReconnectHook] = []
        self.next = asyncio.Event()

    async def happened(self) -> None:
        self.next.set()  # wakes whoever waits on it, once; later callers get a fresh one
        self.next = asyncio.Event()
        for hook in list(self.hooks):
            try:
                await hook()
            except Exception:  # one hook's bug must not keep the others from running
                logger.exception("nats reconnect hook failed")


_reconnects: weakref.WeakKeyDictionary[NATS, _Reconnects] = weakref.WeakKeyDictionary()


async def connect_nats(url: str, *, name: str) -> NATS:
    """A client that keeps reconnecting forever: a NATS restart must not kill a service.

    `url` may list a cluster's servers, comma-separated. What must be made again after a
    reconnection (what a restarted server forgot) registers with `on_reconnected`, or waits
    on `next_reconnect`.
    """
    reconnects = _Reconnects()

    async def on_error(exc: Exception) -> None:
        logger.warning("nats error", extra={"error": str(exc)})

    nc = await nats.connect(
        [server.strip() for server in url.split(",") if server.strip()],
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        drain_timeout=5,
        error_cb=on_error,
        reconnected_cb=reconnects.happened,
    )
    _reconnects[nc] = reconnects
    return nc


def on_reconnected(nc: NATS, hook: ReconnectHook) -> Callable[[], None]:
    """Run `hook` each time `nc` (made by `connect_nats`) has reconnected: a push instead of
    watching the client's reconnect count. Returns what removes the hook again."""
    reconnects = _reconnects.get(nc)
    if reconnects is None:
        raise ValueError("on_reconnected needs a client made by connect_nats")
    hooks = reconnects.hooks
    hooks.append(hook)
    return lambda: hooks.remove(hook) if hook in hooks else None


def next_reconnect(nc: NATS) -> asyncio.Event:
    """An event set when `nc` next reconnects (never, for a client not made by `connect_nats`)."""
    reconnects = _reconnects.get(nc)
    return reconnects.next if reconnects is not None else asyncio.Event()


async def ensure_stream(js: JetStreamContext, subject: str) -> str:
    """Create the stream for `subject`'s prefix if missing (sized by `shared.events.streams`)."""
    name, wildcard = stream_for_subject(subject)
    await streams.ensure(js, streams.event_stream(name, [wildcard]))
    return name


# How long a drain's no-wait request may take to answer with what is already there.
_DRAIN_SECONDS = 0.005


async def fetch_arrived(
    sub: JetStreamContext.PullSubscription,
    batch: int,
    *,
    timeout: float,
    interrupt: asyncio.Event | None = None,
) -> list[Msg]:
    """Wait up to `timeout` for one message, then take what else is already there, up to `batch`.

    nats-py's fetch of a batch, once its pull request lingers, returns only when the batch is
    full or the wait is over, which would hold a lone event for the whole wait. Raises
    `TimeoutError` (nats-py's or asyncio's) when nothing came, or when `interrupt` was set
    first (`next_reconnect`: a restarted server lost the lingering pull request, so waiting
    longer on it would only delay what comes next)."""
    if interrupt is None:
        messages = await sub.fetch(1, timeout=timeout)
    else:
        messages = await _fetch_unless(interrupt, sub, timeout)
    if batch > 1:
        # Its first, no-wait request answers at once.
        with contextlib.suppress(TimeoutError):
            messages += await sub.fetch(batch - 1, timeout=_DRAIN_SECONDS)
    return messages


async def _fetch_unless(interrupt: asyncio.Event, sub: JetStreamContext.PullSubscription, timeout: float) -> list[Msg]:
    fetching = asyncio.ensure_future(sub.fetch(1, timeout=timeout))
    # Read below, or left behind when this wait is itself cancelled (at shutdown nats-py may end
    # it with ConnectionClosedError rather than the cancellation): never an unretrieved error.
    fetching.add_done_callback(_retrieve)
    interrupted = asyncio.ensure_future(interrupt.wait())
    try:
        await asyncio.wait({fetching, interrupted}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        interrupted.cancel()
        if not fetching.done():
            # Nothing can be in flight for a pull request the server no longer has; a message
            # taken in the same instant by a request it still had is redelivered (unacked).
            fetching.cancel()
    await asyncio.gather(fetching, return_exceptions=True)  # let the cancellation land
    if fetching.cancelled():
        raise TimeoutError("interrupted by a reconnection")
    return fetching.result()


def _retrieve(future: asyncio.Future[list[Msg]]) -> None:
    if not future.cancelled():
        future.exception()

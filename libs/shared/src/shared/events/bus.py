"""Connecting to NATS and the stream-per-prefix convention."""

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
_reconnect_hooks: weakref.WeakKeyDictionary[NATS, list[ReconnectHook]] = weakref.WeakKeyDictionary()


async def connect_nats(url: str, *, name: str) -> NATS:
    """A client that keeps reconnecting forever: a NATS restart must not kill a service.

    `url` may list a cluster's servers, comma-separated. What must be made again after a
    reconnection (what a restarted server forgot) registers with `on_reconnected`.
    """
    hooks: list[ReconnectHook] = []

    async def on_error(exc: Exception) -> None:
        logger.warning("nats error", extra={"error": str(exc)})

    async def on_reconnected() -> None:
        for hook in list(hooks):
            try:
                await hook()
            except Exception:  # one hook's bug must not keep the others from running
                logger.exception("nats reconnect hook failed")

    nc = await nats.connect(
        [server.strip() for server in url.split(",") if server.strip()],
        name=name,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        drain_timeout=5,
        error_cb=on_error,
        reconnected_cb=on_reconnected,
    )
    _reconnect_hooks[nc] = hooks
    return nc


def on_reconnected(nc: NATS, hook: ReconnectHook) -> Callable[[], None]:
    """Run `hook` each time `nc` (made by `connect_nats`) has reconnected: a push instead of
    watching the client's reconnect count. Returns what removes the hook again."""
    hooks = _reconnect_hooks.get(nc)
    if hooks is None:
        raise ValueError("on_reconnected needs a client made by connect_nats")
    hooks.append(hook)
    return lambda: hooks.remove(hook) if hook in hooks else None


async def ensure_stream(js: JetStreamContext, subject: str) -> str:
    """Create the stream for `subject`'s prefix if missing (sized by `shared.events.streams`)."""
    name, wildcard = stream_for_subject(subject)
    await streams.ensure(js, streams.event_stream(name, [wildcard]))
    return name


# How long a drain's no-wait request may take to answer with what is already there.
_DRAIN_SECONDS = 0.005


async def fetch_arrived(sub: JetStreamContext.PullSubscription, batch: int, *, timeout: float) -> list[Msg]:
    """Wait up to `timeout` for one message, then take what else is already there, up to `batch`.

    nats-py's fetch of a batch, once its pull request lingers, returns only when the batch is
    full or the wait is over, which would hold a lone event for the whole wait. Raises
    `TimeoutError` (nats-py's or asyncio's) when nothing came."""
    messages = await sub.fetch(1, timeout=timeout)
    if batch > 1:
        # Its first, no-wait request answers at once.
        with contextlib.suppress(TimeoutError):
            messages += await sub.fetch(batch - 1, timeout=_DRAIN_SECONDS)
    return messages

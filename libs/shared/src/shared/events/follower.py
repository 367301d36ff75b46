"""Following subjects with a pull consumer of a process's own: every process hears every message.

For what each process keeps in memory and must hear of at once (revoked credentials, a cache's
invalidations), not for work done once among replicas (`shared.events.consumer`). The consumer
takes no acks and the server forgets it soon after the process does (its `inactive_threshold`).
It is re-created whenever the server loses it (a NATS restart: the client's reconnection ends
the waiting pull request at once; a cluster node's death: found by the check after each empty
wait) or the connection breaks.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig

from shared.events.bus import fetch_arrived, next_reconnect

__all__ = ["follow_subjects"]

logger = logging.getLogger(__name__)

_BATCH = 256


async def follow_subjects(
    nc: NATS,
    js: JetStreamContext,
    subject: str,
    *,
    stream: str,
    config: Callable[[], ConsumerConfig],
    apply: Callable[[Msg], None],
    what: str,
    wait_seconds: float,
    retry_seconds: float,
    subscription: JetStreamContext.PullSubscription | None = None,
    on_subscribed: Callable[[], None] = lambda: None,
    on_lost: Callable[[], None] = lambda: None,
) -> None:
    """Hand every message to `apply`, in order, until cancelled.

    `config()` is asked at each creation of the consumer (a follower resumes where it got to).
    `subscription`: one made already (the caller then listens before this starts). Messages may
    go unheard between `on_lost` (after each failure, before the retry `retry_seconds` later)
    and the next `on_subscribed` (after each creation here). A pull request waits up to
    `wait_seconds` (answered as soon as a message comes); `what` names the follower in logs.
    """
    try:
        while True:
            try:
                # Taken before subscribing: a reconnection from here on means a restarted server
                # may have lost the consumer and the pull request, so the wait ends there.
                reconnected = next_reconnect(nc)
                if subscription is None:
                    subscription = await js.pull_subscribe(subject, stream=stream, config=config())
                    on_subscribed()
                try:
                    messages = await fetch_arrived(subscription, _BATCH, timeout=wait_seconds, interrupt=reconnected)
                except TimeoutError:
                    await subscription.consumer_info()  # NotFoundError once the server forgot it
                    continue
                for msg in messages:
                    apply(msg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("follower restarting", extra={"follower": what, "error": repr(exc)})
                if subscription is not None:  # its inbox would otherwise stay subscribed, and come back each reconnect
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
                subscription = None
                on_lost()
                await asyncio.sleep(retry_seconds)
    finally:
        # Leaves nothing pending on the connection, so draining it at shutdown is quick.
        if subscription is not None:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

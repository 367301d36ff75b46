"""Catching a durable consumer up with its stream: read your own writes across services.

A read model kept by a durable consumer lags its stream by a few milliseconds to a few hundred.
When a lookup misses (an unknown token, node or workspace), the answer "no" is only right once
everything the stream held when the request arrived has been applied. `ConsumerCatchUp.wait`
says when that is, from the consumer's state on the server (`CONSUMER.INFO`): durable consumers
are shared between replicas, and the replica that holds the message may not be this one.

"Caught up as of a call" means: every message of the consumer's subject whose stream sequence
is at most the subject's last sequence at some moment after the call has been acked. From one
`CONSUMER.INFO` answer asked after the call:

- nothing undelivered and nothing unacked: caught up;
- nothing undelivered, some unacked: the target is the last delivered stream sequence, reached
  once the ack floor gets there;
- something undelivered: the target is the subject's last message (`STREAM.MSG.GET`, a second
  round trip only in this case), reached once the ack floor gets there.

Concurrent calls share the round trips: a call joins the next `CONSUMER.INFO` asked after it
arrived, and requests are spaced by at least `min_interval`, so a flood of misses costs at most
one request per interval per consumer, whatever the number of callers.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo

__all__ = ["CatchUp", "ConsumerCatchUp"]

logger = logging.getLogger(__name__)

# Waits (bounded) until some read models have caught up with their streams as of the call;
# True then, False on timeout. What a lookup that missed awaits before answering "no".
CatchUp = Callable[[], Awaitable[bool]]


@dataclass(eq=False)
class _Waiter:
    ticket: int
    done: asyncio.Future[bool]
    target: int | None = None  # stream sequence the ack floor must reach; None: not known yet


class ConsumerCatchUp:
    """Waits, for any number of callers at once, until a durable consumer has acked its stream
    as of each call. `progress()` (called by the local consumer after each acked batch) makes
    the next check come early; the check itself always reads the server's state."""

    def __init__(
        self,
        js: JetStreamContext,
        *,
        stream: str,
        durable: str,
        subject: str,
        min_interval: float = 0.01,
        poll_interval: float = 0.05,
    ) -> None:
        self.js = js
        self.stream = stream
        self.durable = durable
        self.subject = subject
        self.min_interval = min_interval
        self.poll_interval = poll_interval
        self._tickets = 0
        self._waiters: list[_Waiter] = []
        self._loop_task: asyncio.Task[None] | None = None
        # Set when the local consumer acked something or a caller arrived: check again as soon
        # as `min_interval` allows, instead of after `poll_interval`.
        self._nudge = asyncio.Event()

    def progress(self) -> None:
        """The local consumer acked something: check again without waiting for the poll."""
        self._nudge.set()

    async def wait(self, timeout: float = 1.0) -> bool:
        """True once the consumer has acked everything its subject held at the call; False when
        `timeout` passed first or NATS could not say (logged). Never raises for NATS trouble."""
        self._tickets += 1
        waiter = _Waiter(self._tickets, asyncio.get_running_loop().create_future())
        self._waiters.append(waiter)
        self._nudge.set()
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = asyncio.create_task(self._check_until_served(), name=f"catch-up-{self.durable}")
        try:
            return await asyncio.wait_for(asyncio.shield(waiter.done), timeout)
        except TimeoutError:
            logger.warning(
                "read model not caught up within its bound",
                extra={"consumer": self.durable, "timeout": timeout, "target": waiter.target},
            )
            return False
        finally:
            if not waiter.done.done():
                waiter.done.cancel()
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    async def _check_until_served(self) -> None:
        last_asked = float("-inf")
        while self._waiters:
            await asyncio.sleep(max(0.0, last_asked + self.min_interval - time.monotonic()))
            # Every waiter with a ticket up to here arrived before this request was sent.
            cutoff = self._tickets
            last_asked = time.monotonic()
            self._nudge.clear()
            try:
                info = await self.js.consumer_info(self.stream, self.durable, timeout=1.0)
                last_seq = await self._last_sequence(info) if self._needs_target(info, cutoff) else None
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS down, consumer missing: "we cannot tell" is an answer
                logger.warning("catch-up check failed", extra={"consumer": self.durable, "error": repr(exc)})
                self._settle(cutoff, False)
                continue
            self._apply(info, cutoff, last_seq)
            if self._waiters:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._nudge.wait(), self.poll_interval)

    def _needs_target(self, info: ConsumerInfo, cutoff: int) -> bool:
        return bool(info.num_pending) and any(w.target is None and w.ticket <= cutoff for w in self._waiters)

    async def _last_sequence(self, info: ConsumerInfo) -> int:
        message = await self.js.get_last_msg(self.stream, self.subject)
        return int(message.seq or 0)

    def _apply(self, info: ConsumerInfo, cutoff: int, last_seq: int | None) -> None:
        if not info.num_pending and not info.num_ack_pending:
            self._settle(cutoff, True)
            return
        floor = info.ack_floor.stream_seq if info.ack_floor and info.ack_floor.stream_seq else 0
        delivered = info.delivered.stream_seq if info.delivered and info.delivered.stream_seq else 0
        for waiter in list(self._waiters):
            if waiter.target is None and waiter.ticket <= cutoff:
                waiter.target = last_seq if info.num_pending and last_seq is not None else delivered
            if waiter.target is not None and floor >= waiter.target:
                self._resolve(waiter, True)

    def _settle(self, cutoff: int, result: bool) -> None:
        for waiter in [w for w in self._waiters if w.ticket <= cutoff]:
            self._resolve(waiter, result)

    def _resolve(self, waiter: _Waiter, result: bool) -> None:
        if not waiter.done.done():
            waiter.done.set_result(result)
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

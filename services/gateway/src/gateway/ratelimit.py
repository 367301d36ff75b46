"""Fixed one-minute windows per principal (user id, or client address when anonymous).

Counted in a `SharedCounter`, so the limit holds in total across every gateway replica, without
a round trip on a request's path: a replica decides from the total the shared counter last
answered plus its own hits since, and adds those hits to the shared counter in the background
(every `flush_seconds`, one increment per key). A replica may admit at most `allowance` hits of
a key that the shared counter has not answered for; one more waits for the round trip. So the
limit holds across R replicas within an overshoot of at most R x `allowance` per key and window
(`allowance` is a fiftieth of the limit unless set: 0, an exact limit with a round trip per
request, below 50 a minute). The windows follow `clock` (Unix seconds),
so a test moves time on instead of waiting a minute out.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from nats.aio.client import Client as NATS

from shared.counters import SharedCounter
from shared.errors import RateLimited

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Quota:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # Unix time the window ends

    def headers(self) -> dict[str, str]:
        """What every answer within the limit says of it."""
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }

    def refusal(self) -> RateLimited:
        """The 429 of a caller past the limit, saying the same of it."""
        return RateLimited(limit=self.limit, remaining=self.remaining, reset=self.reset_at)


@dataclass(slots=True)
class _Key:
    """One key's count in the current window, as this replica knows it."""

    shared: int = 0  # the total the shared counter last answered
    unflushed: int = 0  # this replica's hits not yet sent to it
    sending: int = 0  # this replica's hits on their way to it
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def unanswered(self) -> int:
        return self.unflushed + self.sending


class RateLimiter:
    def __init__(
        self,
        limit_per_minute: int,
        *,
        bucket: str = "gateway",
        clock: Callable[[], float] = time.time,
        allowance: int | None = None,
        flush_seconds: float = 0.05,
    ) -> None:
        self.limit = limit_per_minute
        # Replicas configured with the same bucket name share their counters.
        self.counter = SharedCounter(f"ratelimit-{bucket}", window_seconds=WINDOW_SECONDS, clock=clock)
        self.allowance = allowance if allowance is not None else limit_per_minute // 50
        self.flush_seconds = flush_seconds
        self._window = -1
        self._keys: dict[str, _Key] = {}
        self._dirty: set[str] = set()
        self._flusher: asyncio.Task[None] | None = None

    async def attach(self, nc: NATS) -> None:
        await self.counter.attach(nc)

    async def hit(self, key: str) -> Quota:
        state = self._state(key)
        state.unflushed += 1
        if state.unanswered > self.allowance:
            await self._send(key, state)  # this key used its allowance faster than the flushes
        count = state.shared + state.unanswered
        self._dirty.add(key)
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_soon(), name="ratelimit-flush")
        return Quota(count <= self.limit, self.limit, max(0, self.limit - count), self.counter.resets_at())

    async def aclose(self) -> None:
        """Send what is still unsent (at shutdown)."""
        if self._flusher is not None:
            self._flusher.cancel()
            await asyncio.gather(self._flusher, return_exceptions=True)
        await self.flush()

    async def flush(self) -> None:
        """Send every key's unsent hits now, one increment per key."""
        dirty, self._dirty = self._dirty, set()
        await asyncio.gather(*(self._send(key, self._keys[key]) for key in dirty if key in self._keys))

    def _state(self, key: str) -> _Key:
        window = self.counter.window()
        if window != self._window:  # a new window: every count starts again
            self._window = window
            self._keys = {}
            self._dirty = set()
        state = self._keys.get(key)
        if state is None:
            state = self._keys[key] = _Key()
        return state

    async def _flush_soon(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(self.flush_seconds)
            try:
                await self.flush()
            except Exception:  # the counter counts locally when NATS is away; this is a bug
                logger.exception("rate limit flush failed")

    async def _send(self, key: str, state: _Key) -> None:
        async with state.lock:
            if not state.unflushed:
                return
            amount, state.unflushed = state.unflushed, 0
            state.sending = amount
            try:
                total = await self.counter.add(key, amount)
            finally:
                state.sending = 0
            state.shared = max(state.shared, total)

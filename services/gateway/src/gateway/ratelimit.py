"""Fixed one-minute windows per principal (user id, or client address when anonymous).

Counted in a `SharedCounter`, so the limit holds in total across every gateway replica. The
windows follow `clock` (Unix seconds), so a test moves time on instead of waiting a minute out.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from nats.aio.client import Client as NATS

from shared.counters import SharedCounter
from shared.errors import RateLimited

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


class RateLimiter:
    def __init__(
        self, limit_per_minute: int, *, bucket: str = "gateway", clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit_per_minute
        # Replicas configured with the same bucket name share their counters.
        self.counter = SharedCounter(f"ratelimit-{bucket}", window_seconds=WINDOW_SECONDS, clock=clock)

    async def attach(self, nc: NATS) -> None:
        await self.counter.attach(nc)

    async def hit(self, key: str) -> Quota:
        count = await self.counter.add(key)
        return Quota(count <= self.limit, self.limit, max(0, self.limit - count), self.counter.resets_at())

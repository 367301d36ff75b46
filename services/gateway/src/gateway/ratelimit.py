"""Fixed one-minute windows per principal (user id, or client address when anonymous).

Counters live in this process: with N gateway replicas a client gets up to N x the limit.
"""

import time
from dataclasses import dataclass

WINDOW_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Quota:
    allowed: bool
    limit: int
    remaining: int
    reset_at: int  # Unix time the window ends

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset_at),
        }


class RateLimiter:
    def __init__(self, limit_per_minute: int) -> None:
        self.limit = limit_per_minute
        self._window = 0
        self._counts: dict[str, int] = {}

    def hit(self, key: str) -> Quota:
        window = int(time.time()) // WINDOW_SECONDS
        if window != self._window:
            # All keys share aligned windows, so rolling over is one clear().
            self._window = window
            self._counts.clear()
        count = self._counts.get(key, 0) + 1
        self._counts[key] = count
        reset_at = (window + 1) * WINDOW_SECONDS
        return Quota(count <= self.limit, self.limit, max(0, self.limit - count), reset_at)

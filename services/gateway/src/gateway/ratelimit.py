"""Fixed one-minute windows per principal (user id, or client address when anonymous).

The counters live in NATS JetStream, so every gateway replica counts against the same limit:
one atomic increment per request on a counter stream (`allow_msg_counter`, NATS 2.12+), each
window's counter a subject of its own and dropped by the stream's age limit. A key-value bucket
would need a read and a compare-and-set per request, retried under contention; the counter is
one round trip (~0.2 ms on loopback). If NATS cannot answer in time, this process counts alone
until it can: a limit held per replica beats refusing every request.
"""

import json
import logging
import re
import time
from dataclasses import dataclass

from nats.aio.client import Client as NATS
from nats.errors import Error as NatsError
from nats.js.api import StorageType, StreamConfig
from nats.js.errors import BadRequestError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60
STREAM = "RATELIMIT"
_SUBJECT_PREFIX = "ratelimit"
_INCREMENT_TIMEOUT = 0.25
_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]")


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
    def __init__(self, limit_per_minute: int, *, bucket: str = "gateway") -> None:
        self.limit = limit_per_minute
        # Replicas configured with the same bucket name share their counters.
        self.bucket = _UNSAFE.sub("_", bucket)
        self._nats: NATS | None = None
        self._window = 0
        self._local: dict[str, int] = {}

    async def attach(self, nc: NATS) -> None:
        """Count in JetStream from now on; creates the counter stream if it is missing."""
        js = nc.jetstream()
        config = StreamConfig(
            name=STREAM,
            subjects=[f"{_SUBJECT_PREFIX}.>"],
            allow_msg_counter=True,
            max_age=2 * WINDOW_SECONDS,
            storage=StorageType.MEMORY,  # a NATS restart resets the counts: acceptable for rate limits
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)
        self._nats = nc

    async def hit(self, key: str) -> Quota:
        window = int(time.time()) // WINDOW_SECONDS
        count = await self._shared_count(window, key)
        if count is None:
            count = self._local_count(window, key)
        reset_at = (window + 1) * WINDOW_SECONDS
        return Quota(count <= self.limit, self.limit, max(0, self.limit - count), reset_at)

    async def _shared_count(self, window: int, key: str) -> int | None:
        if self._nats is None or not self._nats.is_connected:
            return None
        subject = f"{_SUBJECT_PREFIX}.{self.bucket}.{window}.{_UNSAFE.sub('_', key)}"
        try:
            ack = await self._nats.request(subject, b"", timeout=_INCREMENT_TIMEOUT, headers={"Nats-Incr": "1"})
            return int(json.loads(ack.data)["val"])
        except (NatsError, TimeoutError, ValueError, KeyError) as exc:
            logger.warning("rate limit counted locally", extra={"error": repr(exc)})
            return None

    def _local_count(self, window: int, key: str) -> int:
        if window != self._window:
            # All keys share aligned windows, so rolling over is one clear().
            self._window = window
            self._local.clear()
        count = self._local.get(key, 0) + 1
        self._local[key] = count
        return count

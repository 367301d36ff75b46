"""Counters that hold across replicas: per key, in fixed windows, in NATS JetStream.

One stream (`COUNTERS`, memory storage) with atomic counters (`allow_msg_counter`, NATS 2.12+):
each (counter, window, key) is a subject of its own, and an increment is one round trip that
answers the new total. A key-value bucket would need a read and a compare-and-set, retried
under contention. When NATS does not answer in time, this process counts alone until it
does: a limit held per replica beats refusing every request.
"""

import json
import logging
import re
import time
from collections.abc import Callable

from nats.aio.client import Client as NATS
from nats.errors import Error as NatsError
from nats.js.errors import BadRequestError, NotFoundError

from shared.events.streams import counter_stream, ensure

__all__ = ["MAX_WINDOW_SECONDS", "SharedCounter"]

logger = logging.getLogger(__name__)

STREAM = "COUNTERS"
_PREFIX = "counters"
# A window's counters are kept this long after their last change, so windows may not be longer.
MAX_WINDOW_SECONDS = 3600
_TIMEOUT = 0.25
_UNSAFE = re.compile(r"[^A-Za-z0-9_:-]")


def _token(text: str) -> str:
    return _UNSAFE.sub("_", text) or "_"


class SharedCounter:
    """`await counter.add(key)` -> the key's total in the current window, across replicas.

    Windows follow `clock` (Unix seconds, `time.time` unless a test moves time itself).
    """

    def __init__(self, name: str, *, window_seconds: int, clock: Callable[[], float] = time.time) -> None:
        if not 0 < window_seconds <= MAX_WINDOW_SECONDS:
            raise ValueError(f"window_seconds must be within 1..{MAX_WINDOW_SECONDS}")
        self.name = _token(name)
        self.window_seconds = window_seconds
        self.clock = clock
        self._nats: NATS | None = None
        self._local_window = 0
        self._local: dict[str, int] = {}

    async def attach(self, nc: NATS) -> None:
        """Count in JetStream from now on; creates the counter stream if it is missing."""
        js = nc.jetstream()
        # In memory: a NATS restart resets the counts, acceptable for limits.
        config = counter_stream(STREAM, [f"{_PREFIX}.>"], max_age_seconds=2 * MAX_WINDOW_SECONDS)
        try:
            await ensure(js, config)
        except BadRequestError:
            await js.update_stream(config)
        self._nats = nc

    def window(self) -> int:
        return int(self.clock()) // self.window_seconds

    def resets_at(self) -> int:
        """Unix time the current window ends."""
        return (self.window() + 1) * self.window_seconds

    async def add(self, key: str, amount: int = 1) -> int:
        """Add `amount` (may be negative) to the key's count in this window; returns the new count."""
        window = self.window()
        shared = await self._shared_add(window, key, amount)
        return shared if shared is not None else self._local_add(window, key, amount)

    async def add_shared(self, key: str, amount: int = 1) -> int | None:
        """Like `add`, but None where `add` would count locally (NATS away, or a server that does
        not count): `shared.requirements` probes the counters with it."""
        return await self._shared_add(self.window(), key, amount)

    async def value(self, key: str) -> int:
        """The key's count in this window."""
        window = self.window()
        if self._nats is not None and self._nats.is_connected:
            try:
                msg = await self._nats.jetstream().get_last_msg(STREAM, self._subject(window, key))
                return int(json.loads(msg.data or b"{}").get("val", 0))
            except NotFoundError:
                return 0
            except (NatsError, TimeoutError, ValueError) as exc:
                logger.warning("counter read locally", extra={"counter": self.name, "error": repr(exc)})
        return self._local_add(window, key, 0)

    def _subject(self, window: int, key: str) -> str:
        return f"{_PREFIX}.{self.name}.{window}.{_token(key)}"

    async def _shared_add(self, window: int, key: str, amount: int) -> int | None:
        if self._nats is None or not self._nats.is_connected:
            return None
        try:
            ack = await self._nats.request(
                self._subject(window, key), b"", timeout=_TIMEOUT, headers={"Nats-Incr": str(amount)}
            )
            return int(json.loads(ack.data)["val"])
        except (NatsError, TimeoutError, ValueError, KeyError) as exc:
            logger.warning("counted locally", extra={"counter": self.name, "error": repr(exc)})
            return None

    def _local_add(self, window: int, key: str, amount: int) -> int:
        if window != self._local_window:
            self._local_window = window
            self._local.clear()
        count = self._local.get(key, 0) + amount
        self._local[key] = count
        return count

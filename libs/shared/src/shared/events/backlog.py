"""When a worker counts its backlog for its gauges: often after traffic, seldom while idle.

A worker's backlog gauges (the outbox relay's unpublished rows, a durable consumer's pending
messages, the webhook sender's due deliveries) cost a query or a round trip to refresh. While
the worker's rounds find nothing, the backlog is empty or another replica's and changes seldom;
after traffic, or while the worker fails (what the gauges are watched for), it is counted at the
busy pace again.
"""

import time

__all__ = ["BacklogSampler"]


class BacklogSampler:
    """The schedule of one worker's backlog samples (the worker does the counting).

    The worker's loop asks `due()` before a round, calls `sampled()` as it starts to count (so a
    count that fails is not retried at once), and then `busy()` after a round that moved
    something or failed, `idle()` after one that found nothing.
    """

    def __init__(self, *, seconds: float, idle_seconds: float) -> None:
        self.seconds = seconds
        self.idle_seconds = idle_seconds
        self._sampled = 0.0
        self._next = 0.0  # due at once: a worker's first round counts

    def due(self) -> bool:
        return time.monotonic() >= self._next

    def seconds_until_due(self) -> float:
        return max(self._next - time.monotonic(), 0.0)

    def sampled(self) -> None:
        self._sampled = time.monotonic()
        self._next = self._sampled + self.seconds

    def busy(self) -> None:
        """Next sample `seconds` after the last one at the latest."""
        self._next = min(self._next, self._sampled + self.seconds)

    def idle(self) -> None:
        """Next sample not before `idle_seconds` after the last one."""
        self._next = max(self._next, self._sampled + self.idle_seconds)

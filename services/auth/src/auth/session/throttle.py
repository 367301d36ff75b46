"""Failed-login throttling per account and per client address, across every auth replica.

Failures are counted in fixed windows in `SharedCounter`s (NATS JetStream), so N replicas
still allow the limit once, not N times. A success clears the account's count.
"""

import time

from nats.aio.client import Client as NATS

from auth.errors import TooManyAttempts
from shared.counters import SharedCounter


class LoginThrottle:
    def __init__(self, *, per_account: int, per_address: int, window_seconds: int) -> None:
        self.limits = {"account": per_account, "address": per_address}
        self.counters = {
            kind: SharedCounter(f"login-failures-{kind}", window_seconds=window_seconds) for kind in self.limits
        }

    async def attach(self, nc: NATS) -> None:
        for counter in self.counters.values():
            await counter.attach(nc)

    async def check(self, *, account: str, address: str) -> None:
        """Refuse before the password is even hashed, so a flood costs us nothing."""
        for kind, key in (("account", account.lower()), ("address", address)):
            counter = self.counters[kind]
            if await counter.value(key) >= self.limits[kind]:
                retry_after = max(1, counter.resets_at() - int(time.time()))
                raise TooManyAttempts(retry_after=retry_after)

    async def failed(self, *, account: str, address: str) -> None:
        await self.counters["account"].add(account.lower())
        await self.counters["address"].add(address)

    async def succeeded(self, *, account: str) -> None:
        counter = self.counters["account"]
        if failures := await counter.value(account.lower()):
            await counter.add(account.lower(), -failures)

"""Failed-login throttling per account and per client address (in this process's memory).

With several auth replicas an attacker gets up to N x the limits; a shared counter is the
next step if that matters.
"""

import time
from collections import deque

from shared.errors import RateLimited


class TooManyAttempts(RateLimited):
    code = "TOO_MANY_LOGIN_ATTEMPTS"
    message = "Demasiados intentos fallidos. Intente más tarde."


class LoginThrottle:
    def __init__(self, *, per_account: int, per_address: int, window_seconds: float) -> None:
        self.limits = {"account": per_account, "address": per_address}
        self.window = window_seconds
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.get(key)
        if failures is None:
            return deque()
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def check(self, *, account: str, address: str) -> None:
        """Refuse before the password is even hashed, so a flood costs us nothing."""
        now = time.monotonic()
        for kind, key in (("account", account.lower()), ("address", address)):
            failures = self._recent(f"{kind}:{key}", now)
            if len(failures) >= self.limits[kind]:
                retry_after = int(failures[0] + self.window - now) + 1
                raise TooManyAttempts(headers={"Retry-After": str(retry_after)})

    def failed(self, *, account: str, address: str) -> None:
        now = time.monotonic()
        if len(self._failures) > 100_000:
            self._failures = {k: v for k, v in self._failures.items() if self._recent(k, now)}
        for key in (f"account:{account.lower()}", f"address:{address}"):
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, *, account: str) -> None:
        self._failures.pop(f"account:{account.lower()}", None)

"""Revocations this replica relays: applied here as soon as auth answers 2xx.

Every process learns of a revocation from auth's events within milliseconds; the replica that
carried the request does not wait even that long, so the client's next request through it is
refused whatever the race (read your own writes). The table names the requests that revoke
and which credential their path names.
"""

import re
import time
from dataclasses import dataclass
from typing import Literal

from shared.security import Principal, TokenVerifier

__all__ = ["Revoking", "revoking"]


@dataclass(frozen=True)
class Revoking:
    """What a request revokes once it succeeds, noted before it is forwarded."""

    kind: Literal["caller", "user", "key"]
    subject: str  # the path's user or key id; unused for the caller
    at: float  # when the gateway forwarded it: no earlier than auth's own instant of revocation

    def apply(self, verifier: TokenVerifier, principal: Principal | None) -> None:
        revocations = verifier.revocations
        if self.kind == "caller" and principal is not None:
            verifier.revoke_now(principal)
        elif self.kind == "user":
            # Tokens issued before the request was forwarded; auth's event (a moment later, a
            # later instant) covers the rest.
            revocations.close_user(int(self.subject), self.at)
        elif self.kind == "key":
            revocations.revoke_key(self.subject)


_TABLE: list[tuple[str, re.Pattern[str], Literal["caller", "user", "key"]]] = [
    ("POST", re.compile(r"^/auth/logout/$"), "caller"),  # 004
    ("POST", re.compile(r"^/api/auth/logout/$"), "caller"),  # 003
    ("PATCH", re.compile(r"^/api/rbac/users/(\d{1,19})/role/$"), "user"),  # 004: a role change
    ("PATCH", re.compile(r"^/api/v1/members/(\d{1,19})/$"), "user"),
    ("DELETE", re.compile(r"^/api/v1/members/(\d{1,19})/$"), "user"),
    ("DELETE", re.compile(r"^/api/v1/api-keys/([A-Za-z0-9_-]{1,64})/$"), "key"),
]


def revoking(method: str, path: str) -> Revoking | None:
    """What `method path` revokes if it succeeds, else None (nearly every request: one dict-free scan)."""
    for wanted, pattern, kind in _TABLE:
        if method == wanted and (match := pattern.match(path)):
            return Revoking(kind, match.group(1) if pattern.groups else "", time.time())
    return None

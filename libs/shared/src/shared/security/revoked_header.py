"""`X-Platform-Revoked`: what an answer revoked, said to the gateway that relays it (never to clients).

auth sets it on an answer whose transaction revoked a credential, and only then (a role
change that changes nothing carries none). The gateway applies every item to its own
revocation list before relaying the answer, and strips the header, so the client's next
request through that replica is refused without waiting for auth's event. Comma-separated items:

- `caller`: the requesting token and its login session (a logout);
- `user:<user_id>@<revoked_at>`: every token of the user issued up to `revoked_at` (Unix time,
  milliseconds), the value `auth.user.tokens_revoked` carries (a role change, a removal);
- `key:<key_id>`: an API key;
- `session:<sid>`: every token of a login session (a refresh token used twice).
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "REVOKED_HEADER",
    "CallerRevoked",
    "KeyRevoked",
    "RevokedItem",
    "SessionRevoked",
    "UserRevoked",
    "parse",
    "render",
]

REVOKED_HEADER = "X-Platform-Revoked"

_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_USER = re.compile(r"(\d{1,19})@(\d{1,12}(?:\.\d{1,6})?)")


@dataclass(frozen=True)
class CallerRevoked:
    """The token the request carried, and its login session."""


@dataclass(frozen=True)
class UserRevoked:
    user_id: int
    at: float


@dataclass(frozen=True)
class KeyRevoked:
    key_id: str


@dataclass(frozen=True)
class SessionRevoked:
    session_id: str


RevokedItem = CallerRevoked | UserRevoked | KeyRevoked | SessionRevoked


def _item(item: RevokedItem) -> str:
    match item:
        case CallerRevoked():
            return "caller"
        case UserRevoked(user_id, at):
            return f"user:{user_id}@{at:.3f}"
        case KeyRevoked(key_id):
            return f"key:{key_id}"
        case SessionRevoked(session_id):
            return f"session:{session_id}"


def render(items: Iterable[RevokedItem]) -> str:
    """The header's value for `items`."""
    return ",".join(_item(item) for item in items)


def _parse_item(text: str) -> RevokedItem | None:
    kind, _, rest = text.partition(":")
    if kind == "caller" and not rest and ":" not in text:
        return CallerRevoked()
    if kind == "user" and (match := _USER.fullmatch(rest)):
        at = float(match.group(2))
        return UserRevoked(int(match.group(1)), at) if math.isfinite(at) else None
    if kind == "key" and _ID.fullmatch(rest):
        return KeyRevoked(rest)
    if kind == "session" and _ID.fullmatch(rest):
        return SessionRevoked(rest)
    return None


def parse(value: str) -> tuple[list[RevokedItem], list[str]]:
    """The items of a header's value, and the malformed ones (left out)."""
    items: list[RevokedItem] = []
    malformed: list[str] = []
    for text in (part.strip() for part in value.split(",")):
        item = _parse_item(text) if text else None
        if item is None:
            malformed.append(text)
        else:
            items.append(item)
    return items, malformed

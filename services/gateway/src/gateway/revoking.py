"""Revocations this replica relays, applied as soon as the answer comes back.

Every process learns of a revocation from auth's events within milliseconds; the replica that
carried the request does not wait even that long, so the client's next request through it is
refused whatever the race (read your own writes). auth says what an answer revoked in its
`X-Platform-Revoked` header (`shared.security.revoked_header`), only when it really revoked
something; the proxy hands the header here and never relays it to the client.
"""

import logging
import time

from shared.security import Principal, TokenVerifier
from shared.security.revoked_header import CallerRevoked, KeyRevoked, SessionRevoked, UserRevoked, parse

__all__ = ["apply_revoked"]

logger = logging.getLogger(__name__)


def apply_revoked(value: str, verifier: TokenVerifier, principal: Principal | None, *, session_seconds: float) -> None:
    """Refuse in this replica what an upstream answer says it revoked (its `X-Platform-Revoked`).

    A session is remembered `session_seconds` (the longest token lifetime): its access tokens
    expire by then. Malformed items are logged and skipped; the others still apply.
    """
    items, malformed = parse(value)
    if malformed:
        logger.warning("malformed revocation items ignored", extra={"items": malformed[:10]})
    revocations = verifier.revocations
    for item in items:
        match item:
            case CallerRevoked():
                if principal is None:
                    logger.warning("caller revoked on a request without a credential")
                else:
                    verifier.revoke_now(principal)
            case UserRevoked(user_id, at):
                revocations.close_user(user_id, at)
            case KeyRevoked(key_id):
                revocations.revoke_key(key_id)
            case SessionRevoked(session_id):
                revocations.add(session_id, time.time() + session_seconds)

"""Long-lived connections end with their credential: a WebSocket or a stream whose token is
revoked (a logout, a role change, a removed member, a revoked key) or expires is closed.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from starlette.websockets import WebSocket, WebSocketState

from shared.security.principal import Principal
from shared.security.verifier import TokenVerifier

__all__ = ["REVOKED_CLOSE_CODE", "closing_on_revocation", "until_invalid"]

logger = logging.getLogger(__name__)

# An application close code (4000-4999): 4001 reads as "unauthorized" to clients that know 401.
REVOKED_CLOSE_CODE = 4001


async def until_invalid(verifier: TokenVerifier, principal: Principal) -> str:
    """Return once `principal`'s credential is no longer valid: `"revoked"` or `"expired"`."""
    while True:
        if verifier.revocations.revokes(principal):
            return "revoked"
        remaining = principal.expires_at - time.time()
        if remaining <= 0:
            return "expired"
        await verifier.revocations.wait_for_change(timeout=min(remaining, 3600.0))


@contextlib.asynccontextmanager
async def closing_on_revocation(
    websocket: WebSocket, verifier: TokenVerifier, principal: Principal
) -> AsyncIterator[None]:
    """Within the block, close `websocket` with 4001 as soon as `principal` stops being valid.

    The block's own `receive` then sees the disconnect and ends as for any closed socket.
    """

    async def watch() -> None:
        reason = await until_invalid(verifier, principal)
        if websocket.application_state is WebSocketState.CONNECTED:
            logger.info("closing a socket whose credential ended", extra={"reason": reason})
            with contextlib.suppress(Exception):
                await websocket.close(code=REVOKED_CLOSE_CODE, reason=f"token {reason}")

    watcher = asyncio.create_task(watch())
    try:
        yield
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)

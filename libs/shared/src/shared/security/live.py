"""Long-lived connections end with their credential: a WebSocket or a stream whose token is
revoked (a logout, a role change, a removed member, a revoked key) or expires is closed.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import TypeVar

from starlette.websockets import WebSocket, WebSocketState

from shared.security.principal import Principal
from shared.security.verifier import TokenVerifier

__all__ = ["REVOKED_CLOSE_CODE", "closing_on_revocation", "until_invalid", "while_valid"]

T = TypeVar("T")

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
    """Run the block for as long as `principal` stays valid; then stop it and close with 4001.

    The block (a socket's receive loop) is cancelled rather than left to find out on its next
    send, so nothing more is stored or sent on behalf of a revoked credential; the cancellation
    ends here and the caller's clean-up runs as after any disconnect.
    """
    task = asyncio.current_task()
    assert task is not None
    ended: list[str] = []
    running = True

    async def watch() -> None:
        ended.append(await until_invalid(verifier, principal))
        if running:  # never cancel the caller once the block is over
            task.cancel()

    watcher = asyncio.create_task(watch())
    try:
        yield
    except asyncio.CancelledError:
        if not ended:
            raise
        # Ours: take it back; a shutdown's cancellation arriving at the same time still goes on.
        if task.uncancel() > 0:
            raise
    finally:
        running = False
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
    if ended and websocket.application_state is WebSocketState.CONNECTED:
        logger.info("closing a socket whose credential ended", extra={"reason": ended[0]})
        with contextlib.suppress(Exception):
            await websocket.close(code=REVOKED_CLOSE_CODE, reason=f"token {ended[0]}")


async def while_valid(source: AsyncIterator[T], verifier: TokenVerifier, principal: Principal) -> AsyncIterator[T]:
    """The items of `source` (a streamed answer's events) for as long as `principal` stays valid.

    Checked as each item comes (two dictionary lookups, nothing on the wire): a revoked or
    expired credential's stream ends before its next event is sent.
    """
    async for item in source:
        if verifier.revocations.revokes(principal) or principal.expires_at <= time.time():
            logger.info("ending a stream whose credential ended")
            return
        yield item

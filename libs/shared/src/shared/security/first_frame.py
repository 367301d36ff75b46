"""WebSockets authenticate in their first frame (002's protocol, and 003's desk after it):
`{"type": "auth", "token": "<bearer or API key>", ...}`. Browsers cannot set headers on a
WebSocket, so the gateway forwards the socket untouched and the service reads this frame.
"""

import asyncio
import json
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from shared.errors import ServiceError
from shared.security.principal import Principal
from shared.security.verifier import TokenVerifier

__all__ = ["AUTH_FRAME_SECONDS", "bearer_of_auth_frame", "receive_auth_frame"]

# How long an accepted socket may stay silent before its first frame: then it is refused.
AUTH_FRAME_SECONDS = 10.0


async def receive_auth_frame(websocket: WebSocket, *, timeout: float = AUTH_FRAME_SECONDS) -> dict[str, Any] | None:
    """The socket's first frame when it is a JSON object with `"type": "auth"`, sent within
    `timeout`; None otherwise (silence, not JSON, another type, the client gone): refuse it.

    The frame's other fields are the caller's to read (a guest's token, `last_event_id`).
    """
    try:
        frame = json.loads(await asyncio.wait_for(websocket.receive_text(), timeout=timeout))
    except (TimeoutError, ValueError, KeyError, WebSocketDisconnect):
        return None
    if not isinstance(frame, dict) or frame.get("type") != "auth":
        return None
    return frame


async def bearer_of_auth_frame(frame: dict[str, Any], verifier: TokenVerifier) -> tuple[Principal, str] | None:
    """The principal the frame's `token` names, and the token; None when it has none or the
    verifier refuses it (expired, revoked, unknown key)."""
    token = frame.get("token")
    if not isinstance(token, str):
        return None
    try:
        return await verifier.verify(token), token
    except ServiceError:
        return None

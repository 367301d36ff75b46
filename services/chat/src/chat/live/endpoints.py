"""The desk's WebSocket, `/api/chat/ws/`, for agents and guests.

First frame: `{"type": "auth", "token": "<bearer>"}` (an agent) or `{"type": "auth",
"guest_token": "...", "chat_room_id": "..."}` (a guest), optionally with `"last_event_id"` to
get what was missed since. Then events arrive as `{"id", "type", "chat_room_id", "data"}`:
`new_chat`, `assigned`, `waiting`, `message`, `read`, `status`, `notification`, `typing`. A
client sends `{"type": "message", "chat_room_id", "content", "ref"?}` (answered by a `sent`
event with the message's id and the `ref`, or an `error`), `{"type": "typing",
"chat_room_id", "is_typing"}`, `{"type": "read", "chat_room_id"}` (a read receipt) or
`{"type": "ping"}`. A client that cannot keep up is
closed with code 4008: reconnect with the last id seen. A guest's socket closes with code 4401
when their guest token expires, and with 4410 (after an `erased` event) when an administrator
erases the guest."""

import asyncio
import contextlib
import json
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from chat.config import settings
from chat.erasure.service import ERASED
from chat.hub import RESTARTED, TOO_SLOW, Client, Hub, event, wire
from chat.live import service
from chat.live.service import Sessions
from chat.sessions import SessionmakerDep
from shared.errors import ServiceError
from shared.observability.connections import held_open
from shared.security import Principal, bearer_of_auth_frame, receive_auth_frame
from shared.security.live import closing_on_revocation

router = APIRouter(tags=["live"])
TOO_SLOW_CODE = 4008
RESTART_CODE = 1012  # "service restart" (RFC 6455's registry)
ERASED_CODE = 4410
EXPIRED_CODE = 4401
MAX_CONTENT = 10_000


async def _identify(
    websocket: WebSocket, sessions: Sessions, first: dict[str, Any]
) -> tuple[Client, Principal | None] | None:
    """(the client, the agent's principal or None for a guest), or None when refused."""
    hub: Hub = websocket.app.state.hub
    try:
        if isinstance(first.get("token"), str):
            verified = await bearer_of_auth_frame(first, websocket.app.state.verifier)
            if verified is None or not verified[0].can("chat", "ver"):
                return None
            principal = verified[0]
            agent_id = await service.agent_connected(sessions, principal, default_max=settings.default_max_chats)
            client = hub.client(principal.tenant_id, agent_id=agent_id)
            client.name = await service.agent_name(sessions, principal.user_id)
            return client, principal
        if isinstance(first.get("guest_token"), str) and isinstance(first.get("chat_room_id"), str):
            room = await service.guest_room(sessions, uuid.UUID(first["chat_room_id"]), first["guest_token"])
            return hub.client(room.tenant_id, room_id=str(room.id), expires_at=room.guest_token_expires_at), None
    except (ServiceError, ValueError):
        return None
    return None


@router.websocket("/api/chat/ws/")
async def desk_socket(websocket: WebSocket, sessions: SessionmakerDep) -> None:
    await websocket.accept()
    with held_open(settings.service_name, "/api/chat/ws/", "websocket"):
        await _desk_socket(websocket, sessions)


async def _desk_socket(websocket: WebSocket, sessions: Sessions) -> None:
    first = await receive_auth_frame(websocket)
    found = await _identify(websocket, sessions, first) if first is not None else None
    if first is None or found is None:
        await websocket.send_json({"type": "error", "error": "Autenticación requerida."})
        await websocket.close(code=1008)
        return
    client, principal = found
    hub: Hub = websocket.app.state.hub
    after = first.get("last_event_id")
    resumed = await hub.resume(client, after) if isinstance(after, int) and after >= 0 else None
    detach = hub.attach(client) if resumed is None else None
    await websocket.send_json({"type": "auth_ok", "agent_id": client.agent_id, "chat_room_id": client.room_id})
    sender = asyncio.create_task(_send(websocket, client))
    try:
        if principal is None:  # a guest: their room's token is not revoked, it expires (or is erased)
            await _receive_until_expiry(websocket, sessions, client)
        else:  # an agent's socket ends with their token (logout, role change, removal, revoked key)
            async with closing_on_revocation(websocket, websocket.app.state.verifier, principal):
                await _receive(websocket, sessions, client, principal)
    except WebSocketDisconnect:
        pass
    finally:
        sender.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await sender
        if client.viewing is not None:
            await hub.view(client, None)
        if detach is not None:
            detach()
        if resumed is not None:
            with contextlib.suppress(Exception):
                await resumed.unsubscribe()
        if client.agent_id is not None:
            await service.agent_disconnected(sessions, client.agent_id)


async def _receive_until_expiry(websocket: WebSocket, sessions: Sessions, client: Client) -> None:
    left = (client.expires_at - datetime.now(UTC)).total_seconds() if client.expires_at is not None else None
    timer = asyncio.timeout(left)
    try:
        async with timer:
            await _receive(websocket, sessions, client, None)
    except TimeoutError:
        if not timer.expired():
            raise
        await websocket.close(code=EXPIRED_CODE, reason="El chat expiró.")


async def _send(websocket: WebSocket, client: Client) -> None:
    while True:
        item = await client.queue.get()
        if item is TOO_SLOW:
            await websocket.close(code=TOO_SLOW_CODE, reason="Demasiado lento: reconecta con last_event_id.")
            return
        if item is RESTARTED:
            await websocket.close(code=RESTART_CODE, reason="El servicio se reinició: reconecta y recarga.")
            return
        await websocket.send_text(wire(item))
        if client.room_id is not None and item.get("type") == ERASED:  # the guest and their room are gone
            await websocket.close(code=ERASED_CODE, reason="Chat eliminado.")
            return


async def _receive(websocket: WebSocket, sessions: Sessions, client: Client, principal: Principal | None) -> None:
    while True:
        try:
            frame = json.loads(await websocket.receive_text())
        except ValueError:
            continue
        if not isinstance(frame, dict):
            continue
        kind = frame.get("type")
        if kind == "ping":
            await websocket.send_json({"type": "pong"})
        elif kind in ("typing", "read"):
            await _act(websocket, sessions, client, kind, frame)
        elif kind == "viewing" and client.agent_id is not None:
            await _view(websocket, sessions, client, frame)
        elif kind == "message":
            await _post(websocket, sessions, client, principal, frame)


async def _post(
    websocket: WebSocket, sessions: Sessions, client: Client, principal: Principal | None, frame: dict[str, Any]
) -> None:
    """A message sent over the socket: the same checks and effects as the HTTP endpoints."""
    content, ref = frame.get("content"), frame.get("ref")
    room_id = _room_of(client, frame)
    if room_id is None or not isinstance(content, str) or not 0 < len(content) <= MAX_CONTENT or "\x00" in content:
        client.offer({"type": "error", "data": {"ref": ref, "error": "Mensaje inválido."}})
        return
    hub: Hub = websocket.app.state.hub
    try:
        message, live = await service.post(sessions, tenant_id=client.tenant_id,
                                           room_id=room_id, content=content, principal=principal,
                                           default_max=settings.default_max_chats)  # fmt: skip
    except ServiceError as exc:
        client.offer({"type": "error", "chat_room_id": str(room_id), "data": {"ref": ref, "error": exc.message}})
        return
    await hub.publish(client.tenant_id, live)
    client.offer({"type": "sent", "chat_room_id": str(room_id), "data": {"ref": ref, "id": str(message.id)}})


def _room_of(client: Client, frame: dict[str, Any]) -> uuid.UUID | None:
    """The frame's room, if it is one: a guest's socket acts on its own room only."""
    try:
        room_id = uuid.UUID(str(frame.get("chat_room_id")))
    except ValueError:
        return None
    return None if client.room_id is not None and str(room_id) != client.room_id else room_id


async def _act(websocket: WebSocket, sessions: Sessions, client: Client, kind: str, frame: dict[str, Any]) -> None:
    """Typing and read receipts, on a room the client may act on."""
    room_id = _room_of(client, frame)
    if room_id is None:
        return
    hub: Hub = websocket.app.state.hub
    try:
        if kind == "typing":
            room = await service.room_to_act_on(sessions, tenant_id=client.tenant_id, room_id=room_id,
                                                agent_id=client.agent_id)  # fmt: skip
            if room is not None:
                sender = "agent" if client.agent_id is not None else "user"
                data = {"sender": sender, "is_typing": bool(frame.get("is_typing", True))}
                await hub.signal(client.tenant_id, event("typing", room.id, data, agent_id=room.agent_id))
            return
        live = await service.read(sessions, tenant_id=client.tenant_id, room_id=room_id, agent_id=client.agent_id)
    except ServiceError:
        return
    await hub.publish(client.tenant_id, live)


async def _view(websocket: WebSocket, sessions: Sessions, client: Client, frame: dict[str, Any]) -> None:
    """An agent's socket now views a room of its workspace (or none): who views it is announced."""
    hub: Hub = websocket.app.state.hub
    if frame.get("chat_room_id") is None:
        await hub.view(client, None)
        return
    room_id = _room_of(client, frame)
    if room_id is None:
        return
    try:
        await service.room_in_workspace(sessions, tenant_id=client.tenant_id, room_id=room_id)
    except ServiceError:
        refusal = {"ref": None, "error": "Chat no encontrado."}
        client.offer({"type": "error", "chat_room_id": str(room_id), "data": refusal})
        return
    await hub.view(client, str(room_id))

"""What the desk (003) asks the API and how it shapes the answers for its pages; and the live
relay: the chat WebSocket, opened as the user, turned into server-sent events.

Nothing here knows FastAPI: the endpoints hand in the user's `Gateway`.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed

from console.errors import NotSignedIn
from console.gateway import Gateway
from console.live import OPEN, LiveEvent, LiveItem

__all__ = ["Queues", "RoomPage", "live_events", "queues", "room_page"]

SOCKET = "/api/chat/ws/"
# The chat socket's close codes that mean the user's token no longer works.
SIGNED_OUT_CODES = frozenset({1008, 4001})  # refused at auth; revoked (shared.security.live)
STATUS_LABELS = {"waiting": "En espera", "active": "Activo", "resolved": "Resuelto", "closed": "Cerrado"}
PRIORITY_LABELS = {"low": "Baja", "medium": "Media", "high": "Alta", "urgent": "Urgente"}


@dataclass(frozen=True)
class Queues:
    me: dict[str, Any]
    waiting: list[dict[str, Any]]
    mine: list[dict[str, Any]]
    # Every chat of the workspace: supervisors only (None for the others).
    every: list[dict[str, Any]] | None
    waiting_total: int


@dataclass(frozen=True)
class RoomPage:
    room: dict[str, Any]
    me: dict[str, Any]
    # Agents the room may be transferred to (not its own).
    agents: list[dict[str, Any]] = field(default_factory=list)


async def me(gw: Gateway) -> dict[str, Any]:
    """The user as an agent (made on first visit by the API)."""
    return dict(await gw.get("/api/agents/me/"))


async def queues(gw: Gateway, *, supervisor: bool) -> Queues:
    waiting, mine, agent = await asyncio.gather(
        gw.get("/api/chat-rooms/waiting_chats/", params={"page_size": 50}),
        gw.get("/api/chat-rooms/my_chats/", params={"page_size": 50}),
        me(gw),
    )
    every = None
    if supervisor:
        every = list((await gw.get("/api/chat-rooms/all_chats/", params={"page_size": 50}))["chats"])
    open_mine = [room for room in mine["chats"] if room["status"] in ("active", "resolved")]
    return Queues(me=agent, waiting=list(waiting["chats"]), mine=open_mine, every=every,
                  waiting_total=int(waiting["pagination"]["total_chats"]))  # fmt: skip


async def room_page(gw: Gateway, room_id: str) -> RoomPage:
    room, agent, agents = await asyncio.gather(gw.get(f"/api/chat-rooms/{room_id}/"), me(gw), gw.get("/api/agents/"))
    current = (room.get("agent") or {}).get("id")
    others = [a for a in agents if a["id"] != current]
    return RoomPage(room=dict(room), me=agent, agents=others)


async def messages(gw: Gateway, room_id: str) -> list[dict[str, Any]]:
    return list(await gw.get(f"/api/chat-rooms/{room_id}/messages/"))


async def set_available(gw: Gateway, *, available: bool) -> dict[str, Any]:
    return dict(await gw.patch("/api/agents/me/", json={"is_available": available}))


async def move(gw: Gateway, room_id: str, action: str, *, agent_id: int | None = None) -> dict[str, Any]:
    """take, resolve, close or transfer (to `agent_id`): the API's answer, the room."""
    path = {"take": "take_chat", "resolve": "resolve", "close": "close", "transfer": "transfer_chat"}[action]
    body = {"agent_id": agent_id} if action == "transfer" else None
    return dict(await gw.post(f"/api/chat-rooms/{room_id}/{path}/", json=body))


async def reply(gw: Gateway, room_id: str, content: str) -> dict[str, Any]:
    return dict(await gw.post(f"/api/chat-rooms/{room_id}/send_message/", json={"content": content}))


async def typing(gw: Gateway, room_id: str, *, is_typing: bool) -> None:
    await gw.post(f"/api/chat-rooms/{room_id}/typing/", json={"is_typing": is_typing})


async def read(gw: Gateway, room_id: str) -> None:
    """A read receipt: the guest's messages of the room are read (the guest sees it live)."""
    await gw.post("/api/messages/mark_chat_read/", json={"chat_room_id": room_id})


async def live_events(gw: Gateway, *, last_event_id: int | None, room_id: str | None) -> AsyncIterator[LiveItem]:
    """The chat socket's events for `console.live.live_response`, each with `id` = the
    platform's event id, resumed after `last_event_id`. `OPEN` comes only after chat's
    `auth_ok`, which it sends once the socket is attached to its workspace's events: a
    "Conectado" page misses nothing sent after it (the page then reloads what came between its
    render and this). A refused or revoked token raises `NotSignedIn` (the page goes to login);
    the end of the socket ends the relay (the browser reconnects with the last id it got)."""
    try:
        async with gw.websocket(SOCKET) as ws:
            auth: dict[str, Any] = {"type": "auth", "token": gw.token}
            if last_event_id is not None:
                auth["last_event_id"] = last_event_id
            await ws.send(json.dumps(auth))
            answer = json.loads(await ws.recv())
            if answer.get("type") != "auth_ok":
                raise NotSignedIn()
            if room_id is not None:
                await ws.send(json.dumps({"type": "viewing", "chat_room_id": room_id}))
            yield OPEN
            yield LiveEvent({"agent_id": answer.get("agent_id")}, event="ready")
            async for text in ws:
                frame = json.loads(text)
                if isinstance(frame, dict) and isinstance(frame.get("type"), str) and frame["type"] != "pong":
                    event_id = frame.get("id")
                    yield LiveEvent(frame, id=str(event_id) if isinstance(event_id, int) else None, event="desk")
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd is not None else None
        if code in SIGNED_OUT_CODES:
            raise NotSignedIn() from closed
    except ValueError:
        return  # not JSON: the browser reconnects


def label(value: str, labels: dict[str, str]) -> str:
    return labels.get(value, value)


def agent_label(agent: dict[str, Any] | None) -> str:
    if not agent:
        return "Sin agente"
    user = agent.get("user") or {}
    full = f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
    return full or str(user.get("email") or f"Agente {agent.get('id')}")

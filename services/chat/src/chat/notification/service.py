"""Notifications: for an agent (new chat, new message, assigned, transferred, resolved) or for a
room's guest (new message, agent joined, resolved). Each is stored with the change that caused
it and sent live to whoever it is for."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from chat.hub import Event, event
from chat.models import Notification, Room
from chat.notification.schemas import NotificationList, NotificationRead


async def notify(
    session: AsyncSession,
    live: list[Event],
    room: Room,
    kind: str,
    title: str,
    message: str,
    *,
    agent_id: int | None = None,
    live_too: bool = True,
) -> None:
    """To the agent `agent_id`, or to the room's guest when it is None; sent live too unless
    the event that caused it already tells them (`live_too`)."""
    values = note(room, kind, title, message, agent_id=agent_id)
    await session.flush()  # the session does not autoflush: what it holds (a new room) goes first
    created_at = await session.scalar(insert(Notification).values(values).returning(Notification.created_at))
    if live_too:
        tell(live, values, created_at)


def note(room: Room, kind: str, title: str, message: str, *, agent_id: int | None = None) -> dict[str, Any]:
    """A notification's row, not yet stored (`chat.transcript` stores it within the statement that
    adds its message, with `STORED` and `stored(values)`)."""
    return {"id": uuid.uuid4(), "tenant_id": room.tenant_id, "agent_id": agent_id, "room_id": room.id,
            "notification_type": kind, "title": title, "message": message, "is_read": False}  # fmt: skip


_COLUMNS = ("id", "tenant_id", "agent_id", "room_id", "notification_type", "title", "message", "is_read")
# The insert, built once (its parameters `note_<column>`), answering the row's `created_at`.
STORED = (
    insert(Notification).values({name: bindparam(f"note_{name}") for name in _COLUMNS})
    .returning(Notification.created_at)
)  # fmt: skip


def stored(values: dict[str, Any]) -> dict[str, Any]:
    """`STORED`'s parameters for the row `values`."""
    return {f"note_{name}": values[name] for name in _COLUMNS}


def tell(live: list[Event], values: dict[str, Any], created_at: datetime | None) -> None:
    """The stored notification, live to whoever it is for."""
    agent_id, room_id = values["agent_id"], values["room_id"]
    data = {"id": str(values["id"]), "notification_type": values["notification_type"], "title": values["title"],
            "message": values["message"], "chat_room": str(room_id), "is_read": False,
            "created_at": created_at}  # fmt: skip
    live.append(event("notification", room_id, data, agent_id=agent_id, guest=agent_id is None))


def _for(agent_id: int | None, room_id: uuid.UUID | None) -> ColumnElement[bool]:
    if agent_id is not None:
        return Notification.agent_id == agent_id
    return (Notification.agent_id.is_(None)) & (Notification.room_id == room_id)


async def listing(session: AsyncSession, *, agent_id: int | None = None, room_id: uuid.UUID | None = None,
                  limit: int = 100) -> NotificationList:  # fmt: skip
    """The latest notifications, the unread count and the total."""
    where = _for(agent_id, room_id)
    rows = await session.scalars(
        select(Notification).where(where).order_by(Notification.created_at.desc()).limit(limit)
    )
    unread = await session.scalar(select(func.count()).where(where, Notification.is_read.is_(False))) or 0
    total = await session.scalar(select(func.count()).select_from(Notification).where(where)) or 0
    return NotificationList(
        notifications=[
            NotificationRead(id=n.id, notification_type=n.notification_type, title=n.title, message=n.message,
                             chat_room=n.room_id, is_read=n.is_read, created_at=n.created_at)
            for n in rows
        ],
        unread_count=unread, total_count=total,
    )  # fmt: skip


async def unread(session: AsyncSession, *, agent_id: int) -> int:
    return await session.scalar(select(func.count()).where(_for(agent_id, None), Notification.is_read.is_(False))) or 0


async def mark_read(
    session: AsyncSession, ids: list[uuid.UUID] | None, *, agent_id: int | None = None, room_id: uuid.UUID | None = None
) -> int:
    """Marks the caller's notifications read (`ids`: only those); returns how many changed."""
    query = update(Notification).where(_for(agent_id, room_id), Notification.is_read.is_(False))
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    result = await session.execute(query.values(is_read=True).returning(Notification.id))
    return len(result.all())

"""003's messages, found by id across a workspace: one or many marked read by an agent, an
agent's latest. A room's own messages (added, listed, read, counted) are `chat.transcript`'s."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat.errors import MessageNotFound
from chat.hub import Event
from chat.models import Message, Room
from chat.room import service as rooms
from chat.transcript import mark_read


async def get(session: AsyncSession, tenant_id: int, message_id: uuid.UUID) -> Message:
    message = await session.scalar(select(Message).where(Message.id == message_id, Message.tenant_id == tenant_id))
    if message is None:
        raise MessageNotFound()
    return message


async def mark_one_read(session: AsyncSession, live: list[Event], *, tenant_id: int, message_id: uuid.UUID) -> Message:
    """One guest message read by an agent (an agent's own message stays as it is); as it now is."""
    message = await get(session, tenant_id, message_id)
    room = await rooms.get(session, tenant_id, message.room_id)
    await mark_read(session, live, room, reader="agent", ids=[message.id])
    await session.refresh(message)
    return message


async def mark_many_read(
    session: AsyncSession, live: list[Event], *, tenant_id: int, ids: list[uuid.UUID]
) -> tuple[int, int]:
    """Of `ids`, the workspace's guest messages are marked read: (how many changed, how many were valid)."""
    found = await of_workspace(session, tenant_id, ids)
    changed = 0
    for room_id, of_room_ids in found.items():
        room = await rooms.get(session, tenant_id, room_id)
        changed += len(await mark_read(session, live, room, reader="agent", ids=of_room_ids))
    return changed, sum(len(found_ids) for found_ids in found.values())


async def of_workspace(session: AsyncSession, tenant_id: int, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[uuid.UUID]]:
    """The guest messages among `ids` that are this workspace's, by room."""
    rows = await session.execute(
        select(Message.room_id, Message.id)
        .where(Message.id.in_(ids), Message.tenant_id == tenant_id, Message.sender_type == "user")
    )  # fmt: skip
    found: dict[uuid.UUID, list[uuid.UUID]] = {}
    for room_id, message_id in rows:
        found.setdefault(room_id, []).append(message_id)
    return found


async def recent(session: AsyncSession, agent_id: int, limit: int) -> list[Message]:
    query = (
        select(Message).join(Room, Room.id == Message.room_id)
        .where(Room.agent_id == agent_id).order_by(Message.created_at.desc()).limit(limit)
    )  # fmt: skip
    return list(await session.scalars(query))

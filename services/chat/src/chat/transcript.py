"""A room's messages at their lowest: one added (live to the room's guest and agent, a
notification to the other side), the other side's marked read, the unread counted, a room's
listed. `is_read` is the other side's: an agent reading marks the guest's messages read, the
guest reading marks the agent's.

Shared by the nouns that write into a room (its lifecycle's system messages, the guest, staff's
chats, the messages' own endpoints, the WebSocket) and the room's views: it knows no noun above
the notifications."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import Select, bindparam, func, insert, null, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from chat.errors import RoomClosed
from chat.hub import Event, event
from chat.models import Agent, Message, Room
from chat.notification import service as notes


def as_data(message: Message) -> dict[str, object]:
    return {"id": str(message.id), "chat_room": str(message.room_id), "sender_type": message.sender_type,
            "content": message.content, "message_type": message.message_type, "is_read": message.is_read,
            "created_at": message.created_at, "agent_id": message.agent_id}  # fmt: skip


def _adding(noted: bool) -> Select[datetime, datetime | None]:
    """What `add` runs, built once: the message stored (parameters `message_<column>`), its room
    touched (`now`), and with `noted` the notification (`notes.STORED`'s parameters); it answers
    their `created_at`. No parameter is named as a column: an update would set that column too."""
    added = (
        insert(Message).values({name: bindparam(f"message_{name}") for name in _MESSAGE_COLUMNS})
        .returning(Message.created_at).cte("added")
    )  # fmt: skip
    touched = (
        update(Room).where(Room.id == bindparam("message_room_id")).values(updated_at=bindparam("now")).cte("touched")
    )
    if not noted:
        return select(added.c.created_at, null()).add_cte(touched)
    note = notes.STORED.cte("noted")
    return select(added.c.created_at, note.c.created_at).select_from(added).join(note, true()).add_cte(touched)


_MESSAGE_COLUMNS = ("id", "tenant_id", "room_id", "sender_type", "agent_id", "content", "message_type", "attachment",
                    "is_read")  # fmt: skip
_ADD, _ADD_NOTED = _adding(noted=False), _adding(noted=True)


async def add(
    session: AsyncSession,
    live: list[Event],
    room: Room,
    content: str,
    *,
    sender: str,
    agent: Agent | None = None,
    message_type: str = "text",
    attachment: str | None = None,
) -> Message:
    """A message in the room, sent live to its guest and its agent (and a notification to the
    other side). A closed room takes no more messages.

    One statement stores the message, touches the room and stores the notification: every post
    pays for this, and three ORM flushes were three round trips (and most of a post's CPU)."""
    if room.status == "closed" and sender != "system":
        raise RoomClosed()
    await session.flush()  # the session does not autoflush: what it holds (a new room) goes first
    now = datetime.now(UTC)
    values = {"id": uuid.uuid4(), "tenant_id": room.tenant_id, "room_id": room.id, "sender_type": sender,
              "agent_id": agent.id if agent else None, "content": content, "message_type": message_type,
              "attachment": attachment, "is_read": False}  # fmt: skip
    note = None
    if sender == "user" and room.agent_id is not None:
        note = notes.note(room, "new_message", "Nuevo mensaje", content[:200], agent_id=room.agent_id)
    elif sender == "agent":  # the guest's socket has the message itself: not live
        note = notes.note(room, "new_message", "Nuevo mensaje del agente", content[:200])
    params = {f"message_{name}": value for name, value in values.items()} | {"now": now}
    if note is None:
        row = (await session.execute(_ADD, params)).one()
    else:
        row = (await session.execute(_ADD_NOTED, params | notes.stored(note))).one()
    message = Message(**values, read_at=None, created_at=row[0])  # as stored (not in the session: nothing to flush)
    set_committed_value(room, "updated_at", now)  # as stored, without another flush
    live.append(event("message", room.id, as_data(message), agent_id=room.agent_id))
    if note is not None and sender == "user":
        notes.tell(live, note, row[1])
    return message


async def of_room(session: AsyncSession, room_id: uuid.UUID) -> list[Message]:
    return list(await session.scalars(select(Message).where(Message.room_id == room_id).order_by(Message.created_at)))


def _from_other_side(reader: str) -> str:
    """Whose messages a reader marks read: the guest's for an agent, the agent's for the guest."""
    return "user" if reader == "agent" else "agent"


async def mark_read(
    session: AsyncSession, live: list[Event], room: Room, *, reader: str, ids: list[uuid.UUID] | None = None
) -> list[uuid.UUID]:
    """Marks the other side's unread messages of the room read (`ids`: only those); a read receipt goes live."""
    query = update(Message).where(
        Message.room_id == room.id, Message.is_read.is_(False), Message.sender_type == _from_other_side(reader)
    )
    if ids is not None:
        query = query.where(Message.id.in_(ids))
    now = datetime.now(UTC)
    changed = [row[0] for row in await session.execute(query.values(is_read=True, read_at=now).returning(Message.id))]
    if changed:
        data = {"reader": reader, "message_ids": [str(i) for i in changed], "read_at": now}
        live.append(event("read", room.id, data, agent_id=room.agent_id))
    return changed


async def unread_count(session: AsyncSession, room_ids: list[uuid.UUID], *, reader: str) -> dict[uuid.UUID, int]:
    if not room_ids:
        return {}
    rows = await session.execute(
        select(Message.room_id, func.count())
        .where(
            Message.room_id.in_(room_ids), Message.is_read.is_(False), Message.sender_type == _from_other_side(reader)
        )
        .group_by(Message.room_id)
    )
    return {room_id: int(count) for room_id, count in rows}

"""The answers about rooms, assembled from their rows: 003's rooms with their chat user,
agent and (optionally) messages, the waiting queue's entries, an agent's own page."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat import transcript
from chat.agent import service as agents
from chat.models import Agent, ChatUser, Message, Person, Room
from chat.room.schemas import (
    AgentBriefRead,
    AgentNameRead,
    ChatUserBriefRead,
    ChatUserRead,
    MessageRead,
    MyAgentRead,
    MyRoomList,
    PaginationRead,
    RoomRead,
    WaitingRead,
)

# A chat waiting longer than this is high priority whatever it was given.
URGENT_AFTER_MINUTES = 15
_PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def effective_priority(room: Room, now: datetime) -> str:
    waited = (now - room.created_at).total_seconds() / 60
    return "high" if room.status == "waiting" and waited >= URGENT_AFTER_MINUTES else room.priority


async def waiting_read(session: AsyncSession, rooms: list[Room]) -> list[WaitingRead]:
    users = await _chat_users(session, rooms)
    now = datetime.now(UTC)
    out = [
        WaitingRead(id=r.id, chat_user=ChatUserBriefRead(full_name=users[r.chat_user_id].full_name,
                                                         email=users[r.chat_user_id].email),
                    initial_message=r.initial_message, created_at=r.created_at, priority=effective_priority(r, now),  # type: ignore[arg-type]
                    waiting_time_minutes=int((now - r.created_at).total_seconds() // 60))
        for r in rooms
    ]  # fmt: skip
    return sorted(out, key=lambda w: (_PRIORITY_ORDER[w.priority], w.created_at))


async def _chat_users(session: AsyncSession, rooms: list[Room]) -> dict[int, ChatUser]:
    ids = {r.chat_user_id for r in rooms}
    return {u.id: u for u in await session.scalars(select(ChatUser).where(ChatUser.id.in_(ids)))} if ids else {}


async def briefs(session: AsyncSession, agent_ids: set[int]) -> dict[int, AgentBriefRead]:
    found = list(await session.scalars(select(Agent).where(Agent.id.in_(agent_ids)))) if agent_ids else []
    people = await agents.people(session, {a.user_id for a in found})
    return {agent.id: _brief(agent, people.get(agent.user_id)) for agent in found}


def _brief(agent: Agent, person: Person | None) -> AgentBriefRead:
    first, last = (person.first_name or person.username, person.last_name) if person else ("", "")
    return AgentBriefRead(id=agent.id, user=AgentNameRead(first_name=first, last_name=last))


def message_read(message: Message, agents_by_id: dict[int, AgentBriefRead], user: ChatUser | None) -> MessageRead:
    return MessageRead(
        id=message.id, chat_room=message.room_id, sender_type=message.sender_type,  # type: ignore[arg-type]
        content=message.content, message_type=message.message_type, is_read=message.is_read,
        created_at=message.created_at,
        agent_sender=agents_by_id.get(message.agent_id) if message.agent_id else None,
        user_sender=ChatUserBriefRead(full_name=user.full_name, email=user.email)
        if user is not None and message.sender_type == "user" else None,
    )  # fmt: skip


def sent_read(message: Message, agent: Agent | None = None, person: Person | None = None) -> MessageRead:
    """A message just sent, as its sender gets it back (no user sender: the sender knows); an
    agent's names them (`agent` and `person` as `room.service.send_as_agent` read them: no query)."""
    return message_read(message, {agent.id: _brief(agent, person)} if agent is not None else {}, None)


async def rooms_read(
    session: AsyncSession, rooms: list[Room], *, with_messages: bool, reader: str = "agent"
) -> list[RoomRead]:
    users = await _chat_users(session, rooms)
    unread = await transcript.unread_count(session, [r.id for r in rooms], reader=reader)
    by_room: dict[uuid.UUID, list[Message]] = {r.id: [] for r in rooms}
    if with_messages and rooms:
        for message in await session.scalars(
            select(Message).where(Message.room_id.in_(list(by_room))).order_by(Message.created_at)
        ):
            by_room[message.room_id].append(message)
    agent_ids = {r.agent_id for r in rooms if r.agent_id} | {
        m.agent_id for ms in by_room.values() for m in ms if m.agent_id
    }
    briefed = await briefs(session, agent_ids)
    out = []
    for r in rooms:
        user = users[r.chat_user_id]
        out.append(RoomRead(
            id=r.id, chat_user=ChatUserRead(id=user.id, full_name=user.full_name, email=user.email,
                                            phone_number=user.phone_number),
            initial_message=r.initial_message, status=r.status, priority=r.priority,  # type: ignore[arg-type]
            agent=briefed.get(r.agent_id) if r.agent_id else None, created_at=r.created_at, updated_at=r.updated_at,
            unread_messages_count=unread.get(r.id, 0),
            messages=[message_read(m, briefed, user) for m in by_room[r.id]] if with_messages else None,
        ))  # fmt: skip
    return out


async def room_read(session: AsyncSession, room: Room) -> RoomRead:
    """One room, with its messages."""
    return (await rooms_read(session, [room], with_messages=True))[0]


async def messages_read(session: AsyncSession, room: Room) -> list[MessageRead]:
    found = await transcript.of_room(session, room.id)
    user = await session.get(ChatUser, room.chat_user_id)
    briefed = await briefs(session, {m.agent_id for m in found if m.agent_id})
    return [message_read(m, briefed, user) for m in found]


async def my_rooms_read(
    session: AsyncSession, agent: Agent, rooms: list[Room], pagination: PaginationRead
) -> MyRoomList:
    """An agent's page of their own rooms, with who they are to guests and their load."""
    person = (await agents.people(session, {agent.user_id})).get(agent.user_id)
    me = MyAgentRead(id=agent.id, name=agents.agent_name(person), current_chats=agent.current_active_chats)
    chats = await rooms_read(session, rooms, with_messages=True)
    return MyRoomList(chats=chats, pagination=pagination, agent=me)

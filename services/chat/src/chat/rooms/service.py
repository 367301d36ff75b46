"""Chat rooms: waiting -> active -> resolved -> closed, and who answers them.

A move that the status does not allow is a 400 saying why. Taking, assigning and transferring
lock the room first, then the agent (so two agents taking one chat: exactly one wins), check
the agent's capacity and recount their active chats under that lock. With auto-assignment on
(per workspace, off by default) a new chat goes to the least busy available agent under
capacity, and waiting chats drain to agents as capacity frees or an agent becomes available;
an unavailable agent never gets one."""

import math
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.agents import service as agents
from chat.live.hub import Event, event
from chat.messages import service as messages
from chat.models import Agent, ChatUser, Message, Person, Room
from chat.notifications.service import notify
from chat.rooms.schemas import (
    AgentBrief,
    AgentUserOut,
    ChatUserBrief,
    ChatUserOut,
    MessageOut,
    Pagination,
    RoomOut,
    WaitingOut,
)
from shared.errors import InvalidRequest, NotFound, PermissionDenied

# A chat waiting longer than this is high priority whatever it was given.
URGENT_AFTER_MINUTES = 15
_PRIORITY_ORDER = {"high": 0, "medium": 1, "low": 2}
OLDEST_FIRST = (Room.created_at, Room.id)


class RoomNotFound(NotFound):
    message = "Chat no encontrado."


class WrongMove(InvalidRequest):
    message = "Ese cambio de estado no está permitido."


class AtCapacity(InvalidRequest):
    message = "No puedes tomar más chats en este momento"


class AgentUnavailable(InvalidRequest):
    message = "El agente no está disponible."


async def get(session: AsyncSession, tenant_id: int, room_id: uuid.UUID, *, lock: bool = False) -> Room:
    query = select(Room).where(Room.id == room_id, Room.tenant_id == tenant_id)
    room = await session.scalar(query.with_for_update() if lock else query)
    if room is None:
        raise RoomNotFound()
    return room


def _expect(room: Room, *allowed: str, doing: str) -> None:
    if room.status not in allowed:
        raise WrongMove(f"No se puede {doing} un chat en estado '{room.status}' (debe estar {' o '.join(allowed)}).")


def _check_capacity(agent: Agent) -> None:
    if agent.current_active_chats >= agent.max_concurrent_chats:
        raise AtCapacity()


async def acting(session: AsyncSession, principal: Any, room_id: uuid.UUID, *, default_max: int) -> tuple[Room, Agent]:
    """The room, locked, checked to be the caller's to act on (their own, or any for a
    supervisor), and the caller as an agent."""
    room = await get(session, principal.tenant_id, room_id, lock=True)
    agent = await agents.of(session, principal, default_max=default_max)
    may_handle(room, agent, principal.can("chat", "eliminar"))
    return room, agent


def may_handle(room: Room, agent: Agent, supervisor: bool) -> None:
    """Only the room's agent (or a supervisor) acts on an assigned room."""
    if not supervisor and room.agent_id is not None and room.agent_id != agent.id:
        raise PermissionDenied("Este chat está asignado a otro agente.")


async def _assign(session: AsyncSession, live: list[Event], room: Room, agent: Agent, *, how: str) -> None:
    room.status, room.agent_id = "active", agent.id
    room.updated_at = datetime.now(UTC)
    await session.flush()
    await agents.recount(session, agent)
    person = (await agents.people(session, {agent.user_id})).get(agent.user_id)
    name = guest_facing_name(person) or "Un agente"  # the guest reads both lines below
    await messages.add(session, live, room, f"{name} se unió al chat.", sender="system", message_type="system")
    await notify(session, live, room, "agent_joined", "Un agente se unió", f"{name} te atenderá.")
    if how != "take":
        kind = "chat_transferred" if how == "transfer" else "chat_assigned"
        await notify(session, live, room, kind, "Chat asignado", room.initial_message[:200], agent_id=agent.id)
    live.append(event("assigned", room.id, {"status": "active", "agent_id": agent.id}, agent_id=agent.id, agents=True))


async def take(session: AsyncSession, live: list[Event], room_id: uuid.UUID, principal: Any, default_max: int) -> Room:
    room = await get(session, principal.tenant_id, room_id, lock=True)
    agent = await agents.of(session, principal, default_max=default_max, lock=True)
    _expect(room, "waiting", doing="tomar")
    _check_capacity(agent)
    await _assign(session, live, room, agent, how="take")
    return room


async def assign(session: AsyncSession, live: list[Event], room: Room, agent_id: int) -> None:
    """A supervisor gives a waiting chat to an available agent under capacity."""
    _expect(room, "waiting", doing="asignar")
    agent = await agents.in_workspace(session, room.tenant_id, agent_id, lock=True)
    if not agents.may_get_chats(agent):
        raise AgentUnavailable()
    _check_capacity(agent)
    await _assign(session, live, room, agent, how="assign")


async def transfer(session: AsyncSession, live: list[Event], room: Room, agent_id: int, *, drain: bool) -> None:
    _expect(room, "active", doing="transferir")
    if room.agent_id == agent_id:
        raise InvalidRequest("El chat ya es de ese agente.")
    previous_id = room.agent_id
    ids = sorted(i for i in (previous_id, agent_id) if i is not None)  # locks in id order: no deadlock
    locked = {i: await agents.in_workspace(session, room.tenant_id, i, lock=True) for i in ids}
    target = locked[agent_id]
    if not agents.may_get_chats(target):
        raise AgentUnavailable()
    _check_capacity(target)
    await _assign(session, live, room, target, how="transfer")
    if previous_id is not None:
        await agents.recount(session, locked[previous_id])
    if drain:
        await drain_waiting(session, live, room.tenant_id)


async def unassign(session: AsyncSession, live: list[Event], room: Room, *, drain: bool) -> None:
    _expect(room, "active", doing="desasignar")
    previous_id, room.agent_id, room.status = room.agent_id, None, "waiting"
    room.updated_at = datetime.now(UTC)
    await session.flush()
    if previous_id is not None:
        await agents.recount(session, await agents.in_workspace(session, room.tenant_id, previous_id, lock=True))
    await messages.add(
        session, live, room, "El chat volvió a la cola de espera.", sender="system", message_type="system"
    )
    live.append(event("waiting", room.id, {"status": "waiting"}, agents=True))
    if drain:
        await drain_waiting(session, live, room.tenant_id)


async def resolve(session: AsyncSession, live: list[Event], room: Room, *, drain: bool) -> None:
    _expect(room, "active", doing="resolver")
    room.status = "resolved"
    room.updated_at = datetime.now(UTC)
    await session.flush()
    if room.agent_id is not None:
        await agents.recount(session, await agents.in_workspace(session, room.tenant_id, room.agent_id, lock=True))
        await notify(session, live, room, "chat_resolved", "Chat resuelto", room.initial_message[:200],
                     agent_id=room.agent_id)  # fmt: skip
    await notify(session, live, room, "chat_resolved", "Chat resuelto", "Tu consulta fue resuelta. ¡Gracias!")
    live.append(event("status", room.id, {"status": "resolved"}, agent_id=room.agent_id))
    await events.outbox.emit(
        session, events.RoomResolved(chat_room_id=str(room.id), agent_id=room.agent_id), tenant_id=room.tenant_id
    )
    if drain:
        await drain_waiting(session, live, room.tenant_id)


async def close(session: AsyncSession, live: list[Event], room: Room) -> None:
    _expect(room, "resolved", doing="cerrar")
    room.status = "closed"
    room.updated_at = datetime.now(UTC)
    await session.flush()
    live.append(event("status", room.id, {"status": "closed"}, agent_id=room.agent_id))


async def opened(session: AsyncSession, live: list[Event], room: Room) -> None:
    """A new chat: the queue hears of it, every agent is notified, auto-assignment may take it."""
    live.append(event("new_chat", room.id, {"initial_message": room.initial_message, "priority": room.priority},
                      agents=True))  # fmt: skip
    for agent in await agents.listing(session, room.tenant_id):
        await notify(session, live, room, "new_chat", "Nuevo chat en espera", room.initial_message[:200],
                     agent_id=agent.id)  # fmt: skip
    await events.outbox.emit(
        session, events.RoomCreated(chat_room_id=str(room.id), priority=room.priority), tenant_id=room.tenant_id
    )
    await drain_waiting(session, live, room.tenant_id)


async def drain_waiting(session: AsyncSession, live: list[Event], tenant_id: int) -> None:
    """With auto-assignment on: the oldest waiting chats to the least busy available agents
    under capacity. SKIP LOCKED: a chat or agent another transaction holds is left to it."""
    if not await agents.auto_assign(session, tenant_id):
        return
    while True:
        agent = await session.scalar(
            select(Agent)
            .where(Agent.tenant_id == tenant_id, Agent.is_available.is_(True), Agent.removed.is_(False),
                   Agent.current_active_chats < Agent.max_concurrent_chats)
            .order_by(Agent.current_active_chats, Agent.id).limit(1).with_for_update(skip_locked=True)
        )  # fmt: skip
        if agent is None:
            return
        room = await session.scalar(
            select(Room).where(Room.tenant_id == tenant_id, Room.status == "waiting")
            .order_by(Room.created_at).limit(1).with_for_update(skip_locked=True)
        )  # fmt: skip
        if room is None:
            return
        await _assign(session, live, room, agent, how="assign")


# -- reading -----------------------------------------------------------------------------------
def filtered(tenant_id: int, *, status: str | None = None, agent_id: int | None = None) -> Select[Any]:
    query = select(Room).where(Room.tenant_id == tenant_id)
    if status is not None:
        query = query.where(Room.status == status)
    if agent_id is not None:
        query = query.where(Room.agent_id == agent_id)
    return query


async def page(session: AsyncSession, query: Select[Any], page: int, size: int,
               order: Any = None) -> tuple[list[Room], Pagination]:  # fmt: skip
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(*(order if order is not None else (Room.updated_at.desc(), Room.id)))
    rows: list[Room] = list(await session.scalars(ordered.offset((page - 1) * size).limit(size)))
    pages = max(1, math.ceil(total / size))
    return rows, Pagination(current_page=page, total_pages=pages, total_chats=total, has_next=page < pages,
                            has_previous=page > 1)  # fmt: skip


def effective_priority(room: Room, now: datetime) -> str:
    waited = (now - room.created_at).total_seconds() / 60
    return "high" if room.status == "waiting" and waited >= URGENT_AFTER_MINUTES else room.priority


async def waiting_out(session: AsyncSession, rooms: list[Room]) -> list[WaitingOut]:
    users = await _chat_users(session, rooms)
    now = datetime.now(UTC)
    out = [
        WaitingOut(id=r.id, chat_user=ChatUserBrief(full_name=users[r.chat_user_id].full_name,
                                                    email=users[r.chat_user_id].email),
                   initial_message=r.initial_message, created_at=r.created_at, priority=effective_priority(r, now),  # type: ignore[arg-type]
                   waiting_time_minutes=int((now - r.created_at).total_seconds() // 60))
        for r in rooms
    ]  # fmt: skip
    return sorted(out, key=lambda w: (_PRIORITY_ORDER[w.priority], w.created_at))


async def _chat_users(session: AsyncSession, rooms: list[Room]) -> dict[int, ChatUser]:
    ids = {r.chat_user_id for r in rooms}
    return {u.id: u for u in await session.scalars(select(ChatUser).where(ChatUser.id.in_(ids)))} if ids else {}


def _name(person: Person | None) -> str:
    if person is None:
        return ""
    return " ".join(part for part in (person.first_name, person.last_name) if part) or person.username


async def briefs(session: AsyncSession, agent_ids: set[int]) -> dict[int, AgentBrief]:
    found = list(await session.scalars(select(Agent).where(Agent.id.in_(agent_ids)))) if agent_ids else []
    people = await agents.people(session, {a.user_id for a in found})
    out = {}
    for agent in found:
        person = people.get(agent.user_id)
        first, last = (person.first_name or person.username, person.last_name) if person else ("", "")
        out[agent.id] = AgentBrief(id=agent.id, user=AgentUserOut(first_name=first, last_name=last))
    return out


def message_out(message: Message, agents_by_id: dict[int, AgentBrief], user: ChatUser | None) -> MessageOut:
    return MessageOut(
        id=message.id, chat_room=message.room_id, sender_type=message.sender_type,  # type: ignore[arg-type]
        content=message.content, message_type=message.message_type, is_read=message.is_read,
        created_at=message.created_at,
        agent_sender=agents_by_id.get(message.agent_id) if message.agent_id else None,
        user_sender=ChatUserBrief(full_name=user.full_name, email=user.email)
        if user is not None and message.sender_type == "user" else None,
    )  # fmt: skip


async def rooms_out(
    session: AsyncSession, rooms: list[Room], *, with_messages: bool, reader: str = "agent"
) -> list[RoomOut]:
    users = await _chat_users(session, rooms)
    unread = await messages.unread_count(session, [r.id for r in rooms], reader=reader)
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
        out.append(RoomOut(
            id=r.id, chat_user=ChatUserOut(id=user.id, full_name=user.full_name, email=user.email,
                                           phone_number=user.phone_number),
            initial_message=r.initial_message, status=r.status, priority=r.priority,  # type: ignore[arg-type]
            agent=briefed.get(r.agent_id) if r.agent_id else None, created_at=r.created_at, updated_at=r.updated_at,
            unread_messages_count=unread.get(r.id, 0),
            messages=[message_out(m, briefed, user) for m in by_room[r.id]] if with_messages else None,
        ))  # fmt: skip
    return out


async def messages_out(session: AsyncSession, room: Room) -> list[MessageOut]:
    found = await messages.of_room(session, room.id)
    user = await session.get(ChatUser, room.chat_user_id)
    briefed = await briefs(session, {m.agent_id for m in found if m.agent_id})
    return [message_out(m, briefed, user) for m in found]


def guest_facing_name(person: Person | None) -> str | None:
    """The agent's name as a guest may see it: their profile's display name, never their login
    name or email (a guest is anonymous; an agent's login is a credential half)."""
    return person.display_name if person is not None and person.display_name else None


def agent_name(person: Person | None) -> str:
    """`get_chat_status`'s `agent_name`: the display name, else a neutral "Agente"."""
    return guest_facing_name(person) or "Agente"


async def open_for_contact(session: AsyncSession, live: list[Event], tenant_id: int, values: dict[str, Any]) -> Room:
    """A chat staff opened for a contact: waiting, without a guest token."""
    user = ChatUser(tenant_id=tenant_id, full_name=values["full_name"], email=str(values["email"]),
                    phone_number=values.get("phone_number", ""))  # fmt: skip
    session.add(user)
    await session.flush()
    room = Room(id=uuid.uuid4(), tenant_id=tenant_id, chat_user_id=user.id, initial_message=values["initial_message"],
                status="waiting", priority=values.get("priority", "medium"), address="")  # fmt: skip
    session.add(room)
    await session.flush()
    await messages.add(session, live, room, room.initial_message, sender="user")
    await opened(session, live, room)
    return room


async def update(session: AsyncSession, room: Room, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(room, name, value)
    await session.flush()
    await session.refresh(room)


async def delete(session: AsyncSession, room: Room) -> None:
    agent_id = room.agent_id
    await session.delete(room)
    await session.flush()
    if agent_id is not None:
        await agents.recount(session, await agents.in_workspace(session, room.tenant_id, agent_id, lock=True))

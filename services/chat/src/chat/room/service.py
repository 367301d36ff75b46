"""Chat rooms: finding them (a workspace's, by status and agent, a page at a time), who may
act on one, and an agent's message in one. Their moves are `chat.room.lifecycle`'s; their answers `chat.room.views`'."""

import math
import uuid
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat import transcript
from chat.agent import service as agents
from chat.errors import AssignedElsewhere, RoomNotFound
from chat.hub import Event
from chat.models import Agent, Message, Person, Room
from chat.room.schemas import PaginationRead
from shared.security import Principal

OLDEST_FIRST = (Room.created_at, Room.id)


async def get(session: AsyncSession, tenant_id: int, room_id: uuid.UUID, *, lock: bool = False) -> Room:
    query = select(Room).where(Room.id == room_id, Room.tenant_id == tenant_id)
    room = await session.scalar(query.with_for_update() if lock else query)
    if room is None:
        raise RoomNotFound()
    return room


async def acting(
    session: AsyncSession, principal: Principal, room_id: uuid.UUID, *, default_max: int
) -> tuple[Room, Agent]:
    """The room, locked, checked to be the caller's to act on (their own, or any for a
    supervisor), and the caller as an agent."""
    room = await get(session, principal.tenant_id, room_id, lock=True)
    agent = await agents.of(session, principal, default_max=default_max)
    may_handle(room, agent, principal.can("chat", "eliminar"))
    return room, agent


def may_handle(room: Room, agent: Agent, supervisor: bool) -> None:
    """Only the room's agent (or a supervisor) acts on an assigned room."""
    if not supervisor and room.agent_id is not None and room.agent_id != agent.id:
        raise AssignedElsewhere()


def filtered(tenant_id: int, *, status: str | None = None, agent_id: int | None = None) -> Select[Any]:
    query = select(Room).where(Room.tenant_id == tenant_id)
    if status is not None:
        query = query.where(Room.status == status)
    if agent_id is not None:
        query = query.where(Room.agent_id == agent_id)
    return query


async def page(session: AsyncSession, query: Select[Any], page: int, size: int,
               order: Any = None) -> tuple[list[Room], PaginationRead]:  # fmt: skip
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(*(order if order is not None else (Room.updated_at.desc(), Room.id)))
    rows: list[Room] = list(await session.scalars(ordered.offset((page - 1) * size).limit(size)))
    pages = max(1, math.ceil(total / size))
    return rows, PaginationRead(current_page=page, total_pages=pages, total_chats=total, has_next=page < pages,
                                has_previous=page > 1)  # fmt: skip


# The room (locked, as `acting` does), the caller's agent and their person, in one query built once.
_SENDING = (
    select(Room, Agent, Person).select_from(Room)
    .outerjoin(Agent, (Agent.user_id == bindparam("user_id")) & (Agent.tenant_id == Room.tenant_id))
    .outerjoin(Person, Person.user_id == Agent.user_id)
    .where(Room.id == bindparam("room_id"), Room.tenant_id == bindparam("tenant_id"))
    .with_for_update(of=Room)
)  # fmt: skip


async def send_as_agent(
    session: AsyncSession,
    live: list[Event],
    *,
    principal: Principal,
    room_id: uuid.UUID,
    content: str,
    default_max: int,
    message_type: str = "text",
    attachment: str | None = None,
) -> tuple[Message, Agent, Person | None]:
    """The caller's message in a room they may act on (their own, an unassigned one, or any for
    a supervisor), with the caller as an agent and their person (their name answers it).

    What `acting` reads in two queries comes in one (`_SENDING`): every post an agent makes
    starts here."""
    params = {"user_id": principal.user_id, "room_id": room_id, "tenant_id": principal.tenant_id}
    found = (await session.execute(_SENDING, params)).first()
    if found is None:
        raise RoomNotFound()
    room, agent, person = found
    if agent is None:  # their first act at the desk
        agent = await agents.of(session, principal, default_max=default_max)
        person = (await agents.people(session, {agent.user_id})).get(agent.user_id)
    may_handle(room, agent, principal.can("chat", "eliminar"))
    message = await transcript.add(session, live, room, content, sender="agent", agent=agent,
                                   message_type=message_type, attachment=attachment)  # fmt: skip
    return message, agent, person


async def typing_in(session: AsyncSession, *, principal: Principal, room_id: uuid.UUID, default_max: int) -> Room:
    """The room the caller signals typing in: one they may act on (no lock: nothing changes)."""
    room = await get(session, principal.tenant_id, room_id)
    agent = await agents.of(session, principal, default_max=default_max)
    may_handle(room, agent, principal.can("chat", "eliminar"))
    return room

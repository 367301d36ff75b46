"""The desk socket's units of work. A WebSocket has no request session: each function takes
the `sessionmaker` and owns its transaction (committed before it returns), and returns the live
events the socket publishes once that commit is done."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chat import transcript
from chat.agent import service as agents
from chat.guest.service import room_of_guest
from chat.hub import Event
from chat.models import Message, Person, Room
from chat.room import service as rooms
from shared.security import Principal

Sessions = async_sessionmaker[AsyncSession]


async def agent_connected(sessions: Sessions, principal: Principal, *, default_max: int) -> int:
    """The caller's agent (enlisted on first use) counts one more open socket; their agent id."""
    async with sessions() as session, session.begin():
        agent = await agents.of(session, principal, default_max=default_max)
        await agents.connected(session, agent.id, +1)
        return agent.id


async def agent_disconnected(sessions: Sessions, agent_id: int) -> None:
    """One socket of the agent closed: the last one makes them unavailable."""
    async with sessions() as session, session.begin():
        await agents.connected(session, agent_id, -1)


async def agent_name(sessions: Sessions, user_id: int) -> str:
    """How other agents see the agent at the desk: their display name, else their names, else their email."""
    async with sessions() as session:
        person = await session.get(Person, user_id)
    if person is None:
        return "Agente"
    full = f"{person.first_name} {person.last_name}".strip()
    return person.display_name or full or person.email or "Agente"


async def room_in_workspace(sessions: Sessions, *, tenant_id: int, room_id: uuid.UUID) -> Room:
    """The workspace's room (RoomNotFound otherwise): any agent of it may look at it."""
    async with sessions() as session:
        return await rooms.get(session, tenant_id, room_id)


async def guest_room(sessions: Sessions, room_id: uuid.UUID, token: str) -> Room:
    """The guest's own room (RoomNotFound for a wrong token)."""
    async with sessions() as session:
        return await room_of_guest(session, room_id, token)


async def post(
    sessions: Sessions,
    *,
    tenant_id: int,
    room_id: uuid.UUID,
    content: str,
    principal: Principal | None,
    default_max: int,
) -> tuple[Message, list[Event]]:
    """A message sent over the socket, by an agent (`principal`) or the room's guest: the same
    checks and effects as the HTTP endpoints."""
    live: list[Event] = []
    async with sessions() as session, session.begin():
        if principal is not None:
            message, _, _ = await rooms.send_as_agent(
                session, live, principal=principal, room_id=room_id, content=content, default_max=default_max
            )
        else:
            room = await rooms.get(session, tenant_id, room_id, lock=True)
            message = await transcript.add(session, live, room, content, sender="user")
    return message, live


async def room_to_act_on(
    sessions: Sessions, *, tenant_id: int, room_id: uuid.UUID, agent_id: int | None
) -> Room | None:
    """The room, when the client may signal on it: a guest's own, or an agent's own or unassigned one."""
    async with sessions() as session:
        room = await rooms.get(session, tenant_id, room_id)
    if agent_id is not None and room.agent_id not in (None, agent_id):
        return None
    return room


async def read(sessions: Sessions, *, tenant_id: int, room_id: uuid.UUID, agent_id: int | None) -> list[Event]:
    """A read receipt: the other side's messages of the room are marked read."""
    live: list[Event] = []
    async with sessions() as session, session.begin():
        room = await rooms.get(session, tenant_id, room_id)
        if agent_id is not None and room.agent_id not in (None, agent_id):
            return live
        await transcript.mark_read(session, live, room, reader="agent" if agent_id is not None else "user")
    return live

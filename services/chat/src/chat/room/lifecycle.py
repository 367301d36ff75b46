"""A room's status machine: waiting -> active -> resolved -> closed, and who answers it.

A move that the status does not allow is a 400 saying why. Taking, assigning and transferring
lock the room first, then the agent (so two agents taking one chat: exactly one wins), check
the agent's capacity and hand the room over (`chat.assignment.service`, which recounts their
active chats under that lock). A move that frees capacity, and a new chat, let waiting chats
drain to agents when the workspace's auto-assignment is on.

Each move appends the live events it causes to `live`; the caller publishes them after the commit."""

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from chat import events, transcript
from chat.agent import service as agents
from chat.assignment.service import drain_waiting, hand_over
from chat.errors import AgentUnavailable, AlreadyTheirs, AtCapacity, WrongMove
from chat.hub import Event, event
from chat.models import Agent, Room
from chat.notification.service import notify
from chat.room.service import acting, get
from shared.security import Principal


def _expect(room: Room, *allowed: str, doing: str) -> None:
    if room.status not in allowed:
        raise WrongMove(f"No se puede {doing} un chat en estado '{room.status}' (debe estar {' o '.join(allowed)}).")


def _check_capacity(agent: Agent) -> None:
    if agent.current_active_chats >= agent.max_concurrent_chats:
        raise AtCapacity()


async def take(
    session: AsyncSession, live: list[Event], *, principal: Principal, room_id: uuid.UUID, default_max: int
) -> Room:
    """The caller answers a waiting chat."""
    room = await get(session, principal.tenant_id, room_id, lock=True)
    agent = await agents.of(session, principal, default_max=default_max, lock=True)
    _expect(room, "waiting", doing="tomar")
    _check_capacity(agent)
    await hand_over(session, live, room, agent, how="take")
    return room


async def assign(
    session: AsyncSession, live: list[Event], *, principal: Principal, room_id: uuid.UUID, agent_id: int
) -> Room:
    """A supervisor gives a waiting chat to an available agent under capacity."""
    room = await get(session, principal.tenant_id, room_id, lock=True)
    _expect(room, "waiting", doing="asignar")
    agent = await agents.in_workspace(session, room.tenant_id, agent_id, lock=True)
    if not agents.may_get_chats(agent):
        raise AgentUnavailable()
    _check_capacity(agent)
    await hand_over(session, live, room, agent, how="assign")
    return room


async def transfer(
    session: AsyncSession,
    live: list[Event],
    *,
    principal: Principal,
    room_id: uuid.UUID,
    agent_id: int,
    default_max: int,
) -> Room:
    """To another available agent under capacity: by the room's agent or a supervisor."""
    room, _ = await acting(session, principal, room_id, default_max=default_max)
    _expect(room, "active", doing="transferir")
    if room.agent_id == agent_id:
        raise AlreadyTheirs()
    previous_id = room.agent_id
    ids = sorted(i for i in (previous_id, agent_id) if i is not None)  # locks in id order: no deadlock
    locked = {i: await agents.in_workspace(session, room.tenant_id, i, lock=True) for i in ids}
    target = locked[agent_id]
    if not agents.may_get_chats(target):
        raise AgentUnavailable()
    _check_capacity(target)
    await hand_over(session, live, room, target, how="transfer")
    if previous_id is not None:
        await agents.recount(session, locked[previous_id])
    await drain_waiting(session, live, room.tenant_id)
    return room


async def unassign(session: AsyncSession, live: list[Event], *, principal: Principal, room_id: uuid.UUID) -> Room:
    """A supervisor puts an active chat back in the queue."""
    room = await get(session, principal.tenant_id, room_id, lock=True)
    _expect(room, "active", doing="desasignar")
    previous_id, room.agent_id, room.status = room.agent_id, None, "waiting"
    room.updated_at = datetime.now(UTC)
    await session.flush()
    if previous_id is not None:
        await agents.recount(session, await agents.in_workspace(session, room.tenant_id, previous_id, lock=True))
    await transcript.add(
        session, live, room, "El chat volvió a la cola de espera.", sender="system", message_type="system"
    )
    live.append(event("waiting", room.id, {"status": "waiting"}, agents=True))
    await drain_waiting(session, live, room.tenant_id)
    return room


async def resolve(
    session: AsyncSession, live: list[Event], *, principal: Principal, room_id: uuid.UUID, default_max: int
) -> Room:
    room, _ = await acting(session, principal, room_id, default_max=default_max)
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
    await drain_waiting(session, live, room.tenant_id)
    return room


async def close(
    session: AsyncSession, live: list[Event], *, principal: Principal, room_id: uuid.UUID, default_max: int
) -> Room:
    room, _ = await acting(session, principal, room_id, default_max=default_max)
    _expect(room, "resolved", doing="cerrar")
    room.status = "closed"
    room.updated_at = datetime.now(UTC)
    await session.flush()
    live.append(event("status", room.id, {"status": "closed"}, agent_id=room.agent_id))
    return room


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

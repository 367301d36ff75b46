"""Who answers a waiting chat. Taking, assigning and transferring (`chat.room.lifecycle`) hand
a room over here; with auto-assignment on (per workspace, off by default) a new chat goes to
the least busy available agent under capacity, and waiting chats drain to agents as capacity
frees, an agent becomes available or takes more, or a supervisor switches auto-assignment on;
an unavailable agent never gets one.

Each change appends the live events it causes to `live`; the caller publishes them after the commit."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from chat import transcript
from chat.agent import service as agents
from chat.agent.schemas import AgentRead
from chat.hub import Event, event
from chat.models import Agent, Room
from chat.notification.service import notify
from shared.security import Principal


async def hand_over(session: AsyncSession, live: list[Event], room: Room, agent: Agent, *, how: str) -> None:
    """The room goes to `agent` (`how`: `take`, `assign` or `transfer`): active, the agent's load
    recounted, the guest told who joined, the agent notified unless they took it themselves."""
    room.status, room.agent_id = "active", agent.id
    room.updated_at = datetime.now(UTC)
    await session.flush()
    await agents.recount(session, agent)
    person = (await agents.people(session, {agent.user_id})).get(agent.user_id)
    name = agents.guest_facing_name(person) or "Un agente"  # the guest reads both lines below
    await transcript.add(session, live, room, f"{name} se unió al chat.", sender="system", message_type="system")
    await notify(session, live, room, "agent_joined", "Un agente se unió", f"{name} te atenderá.")
    if how != "take":
        kind = "chat_transferred" if how == "transfer" else "chat_assigned"
        await notify(session, live, room, kind, "Chat asignado", room.initial_message[:200], agent_id=agent.id)
    live.append(event("assigned", room.id, {"status": "active", "agent_id": agent.id}, agent_id=agent.id, agents=True))


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
        await hand_over(session, live, room, agent, how="assign")


async def update_own(
    session: AsyncSession, live: list[Event], *, principal: Principal, values: dict[str, Any], default_max: int
) -> AgentRead:
    """The caller's availability and capacity; then waiting chats may drain to them."""
    agent = await agents.of(session, principal, default_max=default_max, lock=True)
    await agents.update(session, agent, values)
    await drain_waiting(session, live, agent.tenant_id)
    await session.refresh(agent)
    return (await agents.agents_read(session, [agent]))[0]


async def set_auto_assignment(session: AsyncSession, live: list[Event], *, tenant_id: int, enabled: bool) -> None:
    """Off by default: new chats wait to be taken. On: the queue drains at once."""
    await agents.set_auto_assign(session, tenant_id, enabled)
    await drain_waiting(session, live, tenant_id)

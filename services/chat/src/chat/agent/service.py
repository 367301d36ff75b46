"""Support agents: a user with `chat:actualizar` becomes one the first time they act at the desk,
and a user given the `agente` role becomes one as soon as auth says so.
Their active-chat count is recounted under their row's lock whenever it may change, so it is
always the number of their active rooms, however many requests race."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.agent.schemas import AgentPersonRead, AgentRead
from chat.errors import AgentNotFound
from chat.models import Agent, DeskSettings, Person, Room
from shared.security import Principal


async def of(session: AsyncSession, principal: Principal, *, default_max: int, lock: bool = False) -> Agent:
    """The caller's agent row, created on first use."""
    query = select(Agent).where(Agent.user_id == principal.user_id, Agent.tenant_id == principal.tenant_id)
    if lock:
        query = query.with_for_update()
    agent = await session.scalar(query)
    if agent is not None:
        return agent
    await enlist(session, principal.tenant_id, principal.user_id, default_max)
    agent = await session.scalar(query)
    if agent is None:  # the user id belongs to another workspace's agent: never
        raise AgentNotFound()
    return agent


async def enlist(session: AsyncSession, tenant_id: int, user_id: int, max_chats: int) -> None:
    """The user's agent row, unavailable and idle, unless they have one."""
    await session.execute(
        insert(Agent)
        .values(tenant_id=tenant_id, user_id=user_id, is_available=False, current_active_chats=0,
                max_concurrent_chats=max_chats, connections=0)
        .on_conflict_do_nothing(index_elements=[Agent.user_id])
    )  # fmt: skip


async def in_workspace(session: AsyncSession, tenant_id: int, agent_id: int, *, lock: bool = False) -> Agent:
    query = select(Agent).where(Agent.id == agent_id, Agent.tenant_id == tenant_id)
    agent = await session.scalar(query.with_for_update() if lock else query)
    if agent is None:
        raise AgentNotFound()
    return agent


def guest_facing_name(person: Person | None) -> str | None:
    """The agent's name as a guest may see it: their profile's display name, never their login
    name or email (a guest is anonymous; an agent's login is a credential half)."""
    return person.display_name if person is not None and person.display_name else None


def agent_name(person: Person | None) -> str:
    """`get_chat_status`'s `agent_name`: the display name, else a neutral "Agente"."""
    return guest_facing_name(person) or "Agente"


def may_get_chats(agent: Agent) -> bool:
    """Available, and still a member of the workspace."""
    return agent.is_available and not agent.removed


async def listing(session: AsyncSession, tenant_id: int) -> list[Agent]:
    return list(await session.scalars(select(Agent).where(Agent.tenant_id == tenant_id).order_by(Agent.id)))


async def people(session: AsyncSession, user_ids: set[int]) -> dict[int, Person]:
    if not user_ids:
        return {}
    return {p.user_id: p for p in await session.scalars(select(Person).where(Person.user_id.in_(user_ids)))}


async def recount(session: AsyncSession, agent: Agent) -> None:
    """The agent's active chats, counted (the caller holds the agent's row lock)."""
    active = select(func.count()).select_from(Room).where(Room.agent_id == agent.id, Room.status == "active")
    agent.current_active_chats = await session.scalar(active) or 0
    await session.flush()
    await announce(session, agent)


async def announce(session: AsyncSession, agent: Agent) -> None:
    event = events.AgentUpdated(
        agent_id=agent.id, user_id=agent.user_id, is_available=agent.is_available,
        current_active_chats=agent.current_active_chats, max_concurrent_chats=agent.max_concurrent_chats,
    )  # fmt: skip
    await events.outbox.emit(session, event, tenant_id=agent.tenant_id)


async def update(session: AsyncSession, agent: Agent, values: dict[str, Any]) -> None:
    if agent.removed:  # a removed member (a token not yet refused) cannot come back online
        values = {**values, "is_available": False}
    for name, value in values.items():
        setattr(agent, name, value)
    await session.flush()
    await announce(session, agent)


async def connected(session: AsyncSession, agent_id: int, delta: int) -> Agent:
    """A WebSocket of the agent opened (+1) or closed (-1); the last one closing makes them unavailable."""
    agent = await session.scalar(select(Agent).where(Agent.id == agent_id).with_for_update())
    assert agent is not None
    agent.connections = max(0, agent.connections + delta)
    if agent.connections == 0 and agent.is_available:
        agent.is_available = False
        await announce(session, agent)
    await session.flush()
    return agent


async def auto_assign(session: AsyncSession, tenant_id: int) -> bool:
    return bool(await session.scalar(select(DeskSettings.auto_assign).where(DeskSettings.tenant_id == tenant_id)))


async def set_auto_assign(session: AsyncSession, tenant_id: int, enabled: bool) -> None:
    await session.execute(
        insert(DeskSettings).values(tenant_id=tenant_id, auto_assign=enabled)
        .on_conflict_do_update(index_elements=[DeskSettings.tenant_id], set_={"auto_assign": enabled})
    )  # fmt: skip


async def agents_read(session: AsyncSession, found: list[Agent]) -> list[AgentRead]:
    known = await people(session, {a.user_id for a in found})
    out = []
    for agent in found:
        person = known.get(agent.user_id)
        first, last, email = (person.first_name, person.last_name, person.email) if person else ("", "", "")
        user = AgentPersonRead(id=agent.user_id, first_name=first, last_name=last, email=email)
        out.append(AgentRead(id=agent.id, user=user, is_available=agent.is_available,
                            current_active_chats=agent.current_active_chats,
                            max_concurrent_chats=agent.max_concurrent_chats))  # fmt: skip
    return out

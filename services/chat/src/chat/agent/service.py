"""Support agents: a user with `chat:actualizar` becomes one the first time they act at the desk,
and a user given the `agente` role becomes one as soon as auth says so.
Their active-chat count is recounted under their row's lock whenever it may change, so it is
always the number of their active rooms, however many requests race."""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.agent.schemas import AgentPersonRead, AgentRead
from chat.config import settings
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


# -- auth's users, as events tell (agents/handlers.py calls these) ------------------------------
AGENT_ROLE = "agente"


def _display_name_is_newer(statement: Insert) -> ColumnElement[bool]:
    return or_(
        Person.display_name_version.is_(None), Person.display_name_version < statement.excluded.display_name_version
    )


async def user_created(
    session: AsyncSession, *, tenant_id: int | None, event: events.UserCreated, at: datetime
) -> None:
    values = {"tenant_id": tenant_id or 0, "username": event.username, "email": event.email, "role": event.role,
              "first_name": "", "last_name": "", "display_name": event.display_name,
              "display_name_version": at}  # fmt: skip
    statement = insert(Person).values(user_id=event.user_id, **values)
    newer = _display_name_is_newer(statement)
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Person.user_id], set_={
            **{key: values[key] for key in ("username", "email", "role")},
            # a profile change handled before this creation keeps its (newer) name
            "display_name": case((newer, statement.excluded.display_name), else_=Person.display_name),
            "display_name_version": case((newer, statement.excluded.display_name_version),
                                         else_=Person.display_name_version),
        })
    )  # fmt: skip
    if event.role == AGENT_ROLE and tenant_id:
        await enlist(session, tenant_id, event.user_id, settings.default_max_chats)


async def role_changed(session: AsyncSession, *, tenant_id: int | None, event: events.UserRoleChanged) -> None:
    await session.execute(sql_update(Person).where(Person.user_id == event.user_id).values(role=event.role))
    if event.role == AGENT_ROLE and tenant_id:
        await enlist(session, tenant_id, event.user_id, settings.default_max_chats)


async def profile_changed(session: AsyncSession, *, event: events.UserProfileChanged, at: datetime) -> None:
    """The name guests see. Before auth.user.created is handled (another consumer), the person
    is a placeholder that the creation fills in."""
    statement = insert(Person).values(
        user_id=event.user_id, tenant_id=event.tenant_id, username="", email="", role="", first_name="",
        last_name="", display_name=event.display_name, display_name_version=at,
    )  # fmt: skip
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Person.user_id],
            set_={"display_name": event.display_name, "display_name_version": at},
            where=_display_name_is_newer(statement),
        )
    )


async def user_removed(session: AsyncSession, *, event: events.UserRemoved, at: datetime) -> None:
    """A removed member is no agent any more: unavailable for good, so no chat is assigned to them."""
    await session.execute(
        insert(Person).values(user_id=event.user_id, tenant_id=event.tenant_id, username="", email="", role="",
                              first_name="", last_name="", removed_at=at)
        .on_conflict_do_update(index_elements=[Person.user_id], set_={"removed_at": at})
    )  # fmt: skip
    agent = await session.scalar(
        select(Agent).where(Agent.user_id == event.user_id, Agent.tenant_id == event.tenant_id).with_for_update()
    )
    if agent is not None and not agent.removed:
        await update(session, agent, {"is_available": False, "removed": True})


async def user_restored(session: AsyncSession, *, event: events.UserRestored, at: datetime) -> None:
    """A re-invited member is an agent again (still unavailable until they say otherwise), unless
    a removal newer than this event came first."""
    restored = await session.execute(
        sql_update(Person)
        .where(Person.user_id == event.user_id, Person.removed_at.is_not(None), Person.removed_at < at)
        .values(removed_at=None)
    )
    if restored.rowcount == 0:  # type: ignore[attr-defined]
        return
    agent = await session.scalar(
        select(Agent).where(Agent.user_id == event.user_id, Agent.tenant_id == event.tenant_id).with_for_update()
    )
    if agent is not None and agent.removed:
        await update(session, agent, {"removed": False})


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

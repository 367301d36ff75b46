"""auth's users as its events tell (`handlers.py` calls these): the `people` read model (names,
email, role, the display name guests see, removal), and the agents it enlists or sidelines.

Each write is versioned by the event's `occurred_at` where a late event could undo a newer one."""

from datetime import datetime

from sqlalchemy import ColumnElement, case, or_, select
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.agent.service import enlist, update
from chat.config import settings
from chat.models import Agent, Person

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

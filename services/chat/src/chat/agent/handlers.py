"""auth's user events into chat's `people` read model and its agents."""

from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.agent import users
from shared.events import Envelope


async def on_user_created(session: AsyncSession, envelope: Envelope, event: events.UserCreated) -> None:
    await users.user_created(session, tenant_id=envelope.tenant_id, event=event, at=envelope.occurred_at)


async def on_role_changed(session: AsyncSession, envelope: Envelope, event: events.UserRoleChanged) -> None:
    await users.role_changed(session, tenant_id=envelope.tenant_id, event=event)


async def on_profile_changed(session: AsyncSession, envelope: Envelope, event: events.UserProfileChanged) -> None:
    await users.profile_changed(session, event=event, at=envelope.occurred_at)


async def on_user_removed(session: AsyncSession, envelope: Envelope, event: events.UserRemoved) -> None:
    await users.user_removed(session, event=event, at=envelope.occurred_at)


async def on_user_restored(session: AsyncSession, envelope: Envelope, event: events.UserRestored) -> None:
    await users.user_restored(session, event=event, at=envelope.occurred_at)

"""Workspaces as auth announces them: guests reach only the desk of a known, active one.

A workspace created a moment ago may not have reached this read model yet: a miss catches up
with auth's stream (bounded) before it answers "no".
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chat.errors import WorkspaceInactive, WorkspaceNotFound
from chat.models import Workspace
from shared.service import CatchUp

# The durable consumers whose writes decide whether a workspace takes guests.
UPSERTED = "chat-tenant-upserted"
DEACTIVATED = "chat-tenant-deactivated"
READ_MODEL_CONSUMERS = (UPSERTED, DEACTIVATED)


async def _is_active(session: AsyncSession, tenant_id: int) -> bool | None:
    """True or False as auth last said; None for a workspace never announced."""
    # A column, not the entity: a second look must read the row again, not the identity map.
    return await session.scalar(select(Workspace.is_active).where(Workspace.tenant_id == tenant_id))


async def require_open(session: AsyncSession, tenant_id: int, *, caught_up: CatchUp | None = None) -> None:
    """The workspace exists and is active, or WorkspaceNotFound / WorkspaceInactive. With
    `caught_up`, auth's events in flight are waited for first, so a workspace created,
    deactivated or restored a moment ago is honoured at once (read your writes); a guest
    starting a chat is rare enough to pay that NATS round trip."""
    if caught_up is not None:
        await caught_up()
    active = await _is_active(session, tenant_id)
    if active is None:
        raise WorkspaceNotFound()
    if not active:
        raise WorkspaceInactive()


async def upsert(session: AsyncSession, tenant_id: int, *, name: str, is_active: bool, version: datetime) -> None:
    statement = insert(Workspace).values(tenant_id=tenant_id, name=name, is_active=is_active, version=version)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Workspace.tenant_id],
            set_={"name": statement.excluded.name, "is_active": statement.excluded.is_active, "version": version},
            where=Workspace.version < statement.excluded.version,
        )
    )


async def deactivate(session: AsyncSession, tenant_id: int, *, version: datetime) -> None:
    """Inactive as of `version`; a workspace never seen is recorded inactive (its creation,
    older, will not revive it; a later reactivation will)."""
    statement = insert(Workspace).values(tenant_id=tenant_id, name="", is_active=False, version=version)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[Workspace.tenant_id],
            set_={"is_active": False, "version": version},
            where=Workspace.version < statement.excluded.version,
        )
    )

"""Workspaces. Platform admins manage all; everyone else sees only their own."""

import time
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth import events
from auth.models import Tenant
from shared.errors import NotFound
from shared.pagination import PageParams
from shared.repository import fetch_page


async def page(session: AsyncSession, params: PageParams, *, only: int | None) -> tuple[int, Sequence[Tenant]]:
    """Every workspace, or only the one with id `only`."""
    query = select(Tenant).order_by(Tenant.id)
    return await fetch_page(session, query.where(Tenant.id == only) if only is not None else query, params)


async def get(session: AsyncSession, tenant_id: int, *, visible_to: int | None) -> Tenant:
    """`visible_to` is the caller's tenant, or None for a platform admin."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None or (visible_to is not None and tenant.id != visible_to):
        raise NotFound()
    return tenant


async def announce(session: AsyncSession, tenant: Tenant) -> None:
    """`auth.tenant.upserted` with the workspace's current state, after any change to it."""
    await events.outbox.emit(
        session,
        events.TenantUpserted(tenant_id=tenant.id, name=tenant.name, is_active=tenant.is_active),
        tenant_id=tenant.id,
    )


async def create(session: AsyncSession, name: str) -> Tenant:
    tenant = Tenant(name=name, is_active=True)
    session.add(tenant)
    await session.flush()
    await announce(session, tenant)
    return tenant


async def update(session: AsyncSession, tenant_id: int, *, name: str | None, is_active: bool | None) -> Tenant:
    tenant = await get(session, tenant_id, visible_to=None)
    before = (tenant.name, tenant.is_active)
    if name is not None:
        tenant.name = name
    if is_active is False and tenant.is_active:
        # Its tokens stop working everywhere, as a logout would make them.
        await events.outbox.emit(
            session,
            events.TenantDeactivated(tenant_id=tenant.id, deactivated_at=time.time()),
            tenant_id=tenant.id,
        )
    if is_active is not None:
        tenant.is_active = is_active
    await session.flush()
    if (tenant.name, tenant.is_active) != before:
        await announce(session, tenant)
    return tenant

"""Workspaces. Platform admins manage all; everyone else sees only their own."""

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Tenant
from shared.errors import NotFound


async def page(session: AsyncSession, *, only: int | None, offset: int, limit: int) -> tuple[int, Sequence[Tenant]]:
    query = select(Tenant).order_by(Tenant.id)
    if only is not None:
        query = query.where(Tenant.id == only)
    count = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return int(count or 0), (await session.scalars(query.offset(offset).limit(limit))).all()


async def get(session: AsyncSession, tenant_id: int, *, visible_to: int | None) -> Tenant:
    """`visible_to` is the caller's tenant, or None for a platform admin."""
    tenant = await session.get(Tenant, tenant_id)
    if tenant is None or (visible_to is not None and tenant.id != visible_to):
        raise NotFound()
    return tenant


async def create(session: AsyncSession, name: str) -> Tenant:
    tenant = Tenant(name=name, is_active=True)
    session.add(tenant)
    await session.flush()
    return tenant


async def update(session: AsyncSession, tenant_id: int, *, name: str | None, is_active: bool | None) -> Tenant:
    tenant = await get(session, tenant_id, visible_to=None)
    if name is not None:
        tenant.name = name
    if is_active is not None:
        tenant.is_active = is_active
    await session.flush()
    return tenant

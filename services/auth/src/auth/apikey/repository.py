from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import ApiKey


async def add(session: AsyncSession, key: ApiKey) -> ApiKey:
    session.add(key)
    await session.flush()
    return key


def of_tenant(tenant_id: int) -> Select[ApiKey]:
    return select(ApiKey).where(ApiKey.tenant_id == tenant_id).order_by(ApiKey.created_at.desc(), ApiKey.id)


async def get(session: AsyncSession, key_id: str) -> ApiKey | None:
    return await session.get(ApiKey, key_id)


async def by_digest(session: AsyncSession, key_hash: str) -> ApiKey | None:
    return await session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))


async def revoke_all_of(session: AsyncSession, user_id: int, *, now: datetime) -> Sequence[ApiKey]:
    """Revoke every live key a user made; those keys."""
    revoked = await session.scalars(
        update(ApiKey)
        .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
        .values(revoked_at=now)
        .returning(ApiKey)
    )
    return revoked.all()


async def touch(session: AsyncSession, key_id: str, *, now: datetime, every: timedelta) -> None:
    """Record a use, at most once per `every`: a busy key costs one write a minute, not one per request."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - every))
        .values(last_used_at=now)
    )

"""The signing keys' queries."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import SigningKey


async def lock(session: AsyncSession) -> None:
    """One writer of signing keys at a time, across replicas, until the transaction ends."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))"))


async def newest_unretired(session: AsyncSession) -> SigningKey | None:
    return await session.scalar(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc()).limit(1)
    )


async def unretired(session: AsyncSession) -> Sequence[SigningKey]:
    return (await session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None)))).all()


async def unretired_or_retired_after(session: AsyncSession, horizon: datetime) -> Sequence[SigningKey]:
    """Newest first."""
    return (
        await session.scalars(
            select(SigningKey)
            .where(or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > horizon))
            .order_by(SigningKey.created_at.desc())
        )
    ).all()

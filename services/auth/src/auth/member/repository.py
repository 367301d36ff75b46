from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Profile, User


def current_of(tenant_id: int) -> Select[User]:
    """The workspace's members, removed ones left out."""
    return select(User).where(User.tenant_id == tenant_id, User.removed_at.is_(None)).order_by(User.id)


async def profiles_of(session: AsyncSession, user_ids: Sequence[int]) -> dict[int, Profile]:
    rows = await session.scalars(select(Profile).where(Profile.user_id.in_(user_ids)))
    return {profile.user_id: profile for profile in rows}

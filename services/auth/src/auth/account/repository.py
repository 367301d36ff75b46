from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Tenant, User


async def by_login(session: AsyncSession, login: str) -> User | None:
    """A username or an email logs in; emails compare case-insensitively."""
    return await session.scalar(
        select(User).where(or_(User.username == login, func.lower(User.email) == login.lower()))
    )


async def get(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def taken(session: AsyncSession, *, username: str, email: str) -> bool:
    found = await session.scalar(
        select(User.id).where(or_(User.username == username, func.lower(User.email) == email.lower())).limit(1)
    )
    return found is not None


async def add_tenant(session: AsyncSession, name: str) -> Tenant:
    tenant = Tenant(name=name)
    session.add(tenant)
    await session.flush()
    return tenant


async def add_user(session: AsyncSession, user: User) -> User:
    session.add(user)
    await session.flush()
    return user

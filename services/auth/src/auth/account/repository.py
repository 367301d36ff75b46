from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import LoginName, User


async def by_login(session: AsyncSession, login: str) -> User | None:
    """The one account a username or email names (case-insensitive; see `LoginName`)."""
    return await session.scalar(
        select(User).join(LoginName, LoginName.user_id == User.id).where(LoginName.name == login.lower())
    )


async def get(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def get_for_update(session: AsyncSession, user_id: int) -> User | None:
    """The user's row, write-locked until the transaction ends (a role change, a removal): a
    login or refresh of theirs waits for it, then sees the new state."""
    return await session.scalar(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )


async def get_for_sign_in(session: AsyncSession, user_id: int) -> User | None:
    """The user's row as committed now, share-locked until the transaction ends (a login, a
    refresh): a concurrent role change or removal either committed before (and is seen here)
    or waits until the tokens issued here are committed, and its revocation instant follows them."""
    return await session.scalar(
        select(User).where(User.id == user_id).with_for_update(read=True).execution_options(populate_existing=True)
    )


async def rename(session: AsyncSession, user: User, username: str) -> None:
    """Give a user another username, moving its login name; a name already taken raises
    IntegrityError."""
    old, new = user.username.lower(), username.lower()
    user.username = username
    if old != new:
        if old != user.email.lower():
            await session.execute(delete(LoginName).where(LoginName.name == old, LoginName.user_id == user.id))
        if new != user.email.lower():
            session.add(LoginName(name=new, user_id=user.id))
    await session.flush()


def login_names(*, username: str, email: str) -> set[str]:
    return {username.lower(), email.lower()}


async def taken(session: AsyncSession, *, username: str, email: str) -> bool:
    names = login_names(username=username, email=email)
    return await session.scalar(select(LoginName.name).where(LoginName.name.in_(names)).limit(1)) is not None


async def add_user(session: AsyncSession, user: User) -> User:
    """Flush the user and claim its login names; a name already taken raises IntegrityError."""
    session.add(user)
    await session.flush()
    session.add_all(
        LoginName(name=name, user_id=user.id) for name in login_names(username=user.username, email=user.email)
    )
    await session.flush()
    return user

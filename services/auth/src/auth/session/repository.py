"""Login sessions and their refresh tokens."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import LoginSession, RefreshToken


async def add_session(session: AsyncSession, login: LoginSession) -> LoginSession:
    session.add(login)
    await session.flush()
    return login


async def get_session(session: AsyncSession, session_id: str) -> LoginSession | None:
    return await session.get(LoginSession, session_id)


async def add_refresh_token(session: AsyncSession, token: RefreshToken) -> None:
    session.add(token)
    await session.flush()


async def find_refresh_token(session: AsyncSession, token_hash: str) -> RefreshToken | None:
    return await session.get(RefreshToken, token_hash)


async def use_refresh_token(session: AsyncSession, token_hash: str, *, now: datetime) -> str | None:
    """Mark an unused, unexpired refresh token used; its session id, or None if it was not usable.

    One statement, so two concurrent refreshes with one token cannot both succeed.
    """
    return await session.scalar(
        update(RefreshToken)
        .where(RefreshToken.token_hash == token_hash, RefreshToken.used_at.is_(None), RefreshToken.expires_at > now)
        .values(used_at=now)
        .returning(RefreshToken.session_id)
    )


async def revoke_session(session: AsyncSession, session_id: str, *, now: datetime, reason: str) -> bool:
    """Close a session still open; whether this call closed it."""
    closed = await session.scalar(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(LoginSession.id)
    )
    return closed is not None


async def revoke_sessions_of(session: AsyncSession, user_id: int, *, now: datetime, reason: str) -> Sequence[str]:
    """Close every open session of a user; their ids."""
    closed = await session.scalars(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
        .returning(LoginSession.id)
    )
    return closed.all()

"""Logging in and out."""

from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth import events
from auth.account import repository
from auth.config import settings
from auth.errors import InvalidCredentials
from auth.models import DeskAgent, RevokedToken, Tenant, User
from auth.passwords import DUMMY_HASH, verify_password
from auth.session.throttle import LoginThrottle
from auth.session.tokens import IssuedToken, issue
from shared.errors import NotAuthenticated
from shared.security import Principal

throttle = LoginThrottle(
    per_account=settings.login_failures_per_account,
    per_address=settings.login_failures_per_address,
    window_seconds=settings.login_failure_window_seconds,
)


async def authenticate(session: AsyncSession, login: str, password: str) -> User:
    """The active user (of an active workspace) whose username or email and password match."""
    user = await repository.by_login(session, login)
    # Hash even for unknown users, so the answer time does not tell which usernames exist.
    ok = await verify_password(password, user.password_hash if user else DUMMY_HASH)
    if user is None or not ok or not user.is_active:
        raise InvalidCredentials()
    tenant = await session.get(Tenant, user.tenant_id)
    if tenant is None or not tenant.is_active:
        raise InvalidCredentials()
    return user


async def desk_agent(session: AsyncSession, user_id: int) -> dict[str, object] | None:
    """003's `agent` object of a support agent (chat's agents, as its events told)."""
    row = await session.get(DeskAgent, user_id)
    if row is None:
        return None
    return {
        "id": row.agent_id, "user": user_id, "is_available": row.is_available,
        "current_active_chats": row.current_active_chats, "max_concurrent_chats": row.max_concurrent_chats,
    }  # fmt: skip


async def login(session: AsyncSession, login: str, password: str, *, address: str) -> tuple[User, IssuedToken]:
    """Authenticate (throttled per account and address) and issue a token."""
    await throttle.check(account=login, address=address)
    try:
        user = await authenticate(session, login, password)
    except InvalidCredentials:
        await throttle.failed(account=login, address=address)
        raise
    await throttle.succeeded(account=login)
    return user, await issue(session, user)


async def active_user(session: AsyncSession, principal: Principal) -> User:
    """The caller's account, while it is active."""
    user = await repository.get(session, principal.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    return user


async def logout(session: AsyncSession, principal: Principal) -> None:
    """Revoke the caller's token; every service learns it from `auth.token.revoked`."""
    inserted = await session.execute(
        insert(RevokedToken)
        .values(
            jti=principal.token_id,
            user_id=principal.user_id,
            expires_at=datetime.fromtimestamp(principal.expires_at, UTC),
        )
        .on_conflict_do_nothing()
        .returning(RevokedToken.jti)
    )
    if inserted.first() is None:
        return
    await events.outbox.emit(
        session,
        events.TokenRevoked(jti=principal.token_id, exp=principal.expires_at, user_id=principal.user_id),
        tenant_id=principal.tenant_id,
    )

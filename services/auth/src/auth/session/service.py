"""Logging in and out, and the login sessions that refresh tokens renew."""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from auth import events, opaque
from auth.account import repository as accounts
from auth.config import settings
from auth.errors import InvalidCredentials, InvalidRefreshToken, RefreshTokenReused
from auth.models import DeskAgent, LoginSession, RefreshToken, RevokedToken, Tenant, User
from auth.passwords import DUMMY_HASH, verify_password
from auth.session import repository
from auth.session.throttle import LoginThrottle
from auth.session.tokens import IssuedToken, issue
from shared.errors import NotAuthenticated
from shared.security import Principal

throttle = LoginThrottle(
    per_account=settings.login_failures_per_account,
    per_address=settings.login_failures_per_address,
    window_seconds=settings.login_failure_window_seconds,
)


@dataclass(frozen=True)
class SignedIn:
    """What every login answer is built from: the user, their workspace and the session's tokens."""

    user: User
    tenant: Tenant
    access: IssuedToken
    refresh_token: str
    refresh_expires_in: int


async def authenticate(session: AsyncSession, login: str, password: str) -> tuple[User, Tenant]:
    """The active user (of an active workspace) whose username or email and password match."""
    found = await accounts.by_login(session, login)
    # Hash even for unknown users, so the answer time does not tell which usernames exist.
    ok = await verify_password(password, found.password_hash if found else DUMMY_HASH)
    # Read again, share-locked until the tokens are committed: a role change or removal racing
    # this login has either committed (its role, or its refusal, applies here) or waits, and
    # revokes these tokens with an instant after them.
    user = await accounts.get_for_sign_in(session, found.id) if found is not None and ok else None
    if user is None or not user.is_active:
        raise InvalidCredentials()
    tenant = await session.get(Tenant, user.tenant_id)
    if tenant is None or not tenant.is_active:
        raise InvalidCredentials()
    return user, tenant


async def desk_agent(session: AsyncSession, user_id: int) -> dict[str, object] | None:
    """003's `agent` object of a support agent (chat's agents, as its events told)."""
    row = await session.get(DeskAgent, user_id)
    if row is None:
        return None
    return {
        "id": row.agent_id, "user": user_id, "is_available": row.is_available,
        "current_active_chats": row.current_active_chats, "max_concurrent_chats": row.max_concurrent_chats,
    }  # fmt: skip


async def login(session: AsyncSession, login: str, password: str, *, address: str) -> SignedIn:
    """Authenticate (throttled per account and address) and open a login session."""
    await throttle.check(account=login, address=address)
    try:
        user, tenant = await authenticate(session, login, password)
    except InvalidCredentials:
        await throttle.failed(account=login, address=address)
        raise
    await throttle.succeeded(account=login)
    return await sign_in(session, user, tenant)


async def sign_in(session: AsyncSession, user: User, tenant: Tenant) -> SignedIn:
    """Open a login session (a refresh-token family) and issue its first tokens."""
    login_session = await repository.add_session(
        session, LoginSession(id=uuid.uuid4().hex, user_id=user.id, tenant_id=user.tenant_id)
    )
    return await _tokens_for(session, user, tenant, login_session.id)


async def _tokens_for(session: AsyncSession, user: User, tenant: Tenant, session_id: str) -> SignedIn:
    refresh_token = opaque.new_secret()
    expires_at = datetime.now(UTC) + timedelta(seconds=settings.refresh_token_seconds)
    await repository.add_refresh_token(
        session, RefreshToken(token_hash=opaque.digest(refresh_token), session_id=session_id, expires_at=expires_at)
    )
    return SignedIn(
        user=user,
        tenant=tenant,
        access=await issue(session, user, session_id=session_id),
        refresh_token=refresh_token,
        refresh_expires_in=settings.refresh_token_seconds,
    )


async def refresh(sessionmaker: async_sessionmaker[AsyncSession], refresh_token: str) -> SignedIn:
    """Rotate a refresh token: new access and refresh tokens, the old one spent.

    Owns its transaction: a refresh token presented twice (stolen, or replayed) revokes its
    whole session, and that revocation is committed although the answer is a refusal.
    """
    async with sessionmaker() as session, session.begin():
        signed_in, reused = await _rotate(session, opaque.digest(refresh_token))
    if reused is not None:
        raise reused
    if signed_in is None:
        raise InvalidRefreshToken()
    return signed_in


async def _rotate(session: AsyncSession, token_hash: str) -> tuple[SignedIn | None, RefreshTokenReused | None]:
    now = datetime.now(UTC)
    session_id = await repository.use_refresh_token(session, token_hash, now=now)
    if session_id is None:
        spent = await repository.find_refresh_token(session, token_hash)
        if spent is None or spent.used_at is None:
            return None, None  # unknown or expired
        login_session = await repository.get_session(session, spent.session_id)
        if login_session is None:
            return None, None
        exp = int(time.time()) + settings.access_token_seconds
        if await repository.revoke_session(session, login_session.id, now=now, reason="reuse"):
            await _announce_session_end(session, login_session, exp=exp)
        return None, RefreshTokenReused(session_id=login_session.id, tokens_expire_by=exp)
    login_session = await repository.get_session(session, session_id)
    # Share-locked like a login's (see `authenticate`), then the session read again: a removal
    # that committed while this waited has closed it.
    user = await accounts.get_for_sign_in(session, login_session.user_id) if login_session else None
    if login_session is not None:
        await session.refresh(login_session)
    tenant = await session.get(Tenant, user.tenant_id) if user else None
    if login_session is None or login_session.revoked_at is not None or user is None or tenant is None:
        return None, None
    if not user.is_active or not tenant.is_active:
        return None, None
    return await _tokens_for(session, user, tenant, session_id), None


async def _announce_session_end(session: AsyncSession, login_session: LoginSession, *, exp: int) -> None:
    """Every access token of the session is refused everywhere (`exp` bounds when they expire)."""
    await events.outbox.emit(
        session,
        events.TokenRevoked(jti=login_session.id, exp=exp, user_id=login_session.user_id, sid=login_session.id),
        tenant_id=login_session.tenant_id,
    )


async def active_user(session: AsyncSession, principal: Principal) -> User:
    """The caller's account, while it is active."""
    user = await accounts.get(session, principal.user_id)
    if user is None or not user.is_active:
        raise NotAuthenticated()
    return user


async def workspace_of(session: AsyncSession, user: User) -> Tenant:
    tenant = await session.get(Tenant, user.tenant_id)
    if tenant is None:
        raise NotAuthenticated()
    return tenant


async def logout(session: AsyncSession, principal: Principal) -> None:
    """Revoke the caller's token and end its login session; every service learns it from
    `auth.token.revoked` (with `sid`, so the session's other access tokens stop too)."""
    if principal.session_id is not None:
        await repository.revoke_session(session, principal.session_id, now=datetime.now(UTC), reason="logout")
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
        events.TokenRevoked(
            jti=principal.token_id,
            # The session's newest token may outlive this one: its entry must last as long.
            exp=int(time.time()) + settings.access_token_seconds if principal.session_id else principal.expires_at,
            user_id=principal.user_id,
            sid=principal.session_id,
        ),
        tenant_id=principal.tenant_id,
    )


async def end_sessions_of(session: AsyncSession, user_id: int, *, reason: str) -> None:
    """Close every login session of a user, so no refresh token of theirs works again.

    Their access tokens are refused by `auth.user.tokens_revoked`, published by the caller.
    """
    await repository.revoke_sessions_of(session, user_id, now=datetime.now(UTC), reason=reason)

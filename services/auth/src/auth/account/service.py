"""Accounts: registering opens a workspace (tenant) that the new user owns."""

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from auth import events
from auth.account import repository
from auth.errors import AccountExists
from auth.models import User
from auth.passwords import hash_password
from auth.rbac import names as roles
from auth.tenant import service as tenants


async def register(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    username: str | None = None,
    role: str = roles.OWNER,
    platform_admin: bool = False,
) -> User:
    username = username or email
    if await repository.taken(session, username=username, email=email):
        raise AccountExists()
    tenant = await tenants.create(session, username)
    return await add_member(
        session,
        tenant_id=tenant.id,
        username=username,
        email=email,
        password=password,
        role=role,
        platform_admin=platform_admin,
    )


async def restore_member(session: AsyncSession, user: User, *, username: str, password: str, role: str) -> User:
    """A removed member back in their workspace: the same user id and history, active again with
    `role`, a new password and `username`; publishes `auth.user.restored` (and the role change)."""
    try:
        async with session.begin_nested():
            await repository.rename(session, user, username)
    except IntegrityError as exc:  # someone else's username or email
        raise AccountExists() from exc
    user.password_hash = await hash_password(password)
    user.is_active, user.removed_at = True, None
    if user.role != role:
        await events.outbox.emit(
            session,
            events.UserRoleChanged(user_id=user.id, role=role, previous_role=user.role),
            tenant_id=user.tenant_id,
        )
        user.role = role
    await session.flush()
    await events.outbox.emit(
        session, events.UserRestored(user_id=user.id, tenant_id=user.tenant_id, role=role), tenant_id=user.tenant_id
    )
    return user


async def add_member(
    session: AsyncSession,
    *,
    tenant_id: int,
    username: str,
    email: str,
    password: str,
    role: str,
    platform_admin: bool = False,
    display_name: str | None = None,
) -> User:
    """A user in an existing workspace; publishes `auth.user.created`."""
    if await repository.taken(session, username=username, email=email):
        raise AccountExists()
    user = User(
        tenant_id=tenant_id,
        username=username,
        email=email,
        password_hash=await hash_password(password),
        role=role,
        is_active=True,
        is_platform_admin=platform_admin,
        first_name="",
        last_name="",
    )
    try:
        async with session.begin_nested():
            await repository.add_user(session, user)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise AccountExists() from exc
    await events.outbox.emit(
        session,
        events.UserCreated(
            user_id=user.id, username=user.username, email=user.email, role=user.role, display_name=display_name
        ),
        tenant_id=tenant_id,
    )
    return user

"""A workspace's members: their roles, changed at once, and their removal.

A role change or a removal refuses every token the member was issued before it, everywhere
(`auth.user.tokens_revoked`); a new login, or a refresh, carries the new role.
"""

import math
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from auth import events
from auth.account import repository as accounts
from auth.apikey import service as apikeys
from auth.errors import NotOnYourself, RoleNotHeld
from auth.member import repository
from auth.member.schemas import MemberRead
from auth.models import User
from auth.profile.service import display_name
from auth.rbac import repository as rbac
from auth.revoked import Revoked
from auth.session import service as sessions
from shared.errors import InvalidRequest, NotFound, PermissionDenied
from shared.pagination import PageParams
from shared.repository import fetch_page
from shared.security import Principal


async def page(session: AsyncSession, tenant_id: int, params: PageParams) -> tuple[int, list[MemberRead]]:
    count, users = await fetch_page(session, repository.current_of(tenant_id), params)
    return count, await describe(session, users)


async def describe(session: AsyncSession, users: Sequence[User]) -> list[MemberRead]:
    profiles = await repository.profiles_of(session, [user.id for user in users])
    return [
        MemberRead(
            id=user.id,
            username=user.username,
            email=user.email,
            role=user.role,
            display_name=display_name(p.nombres, p.apellidos) if (p := profiles.get(user.id)) else None,
            created_at=user.created_at,
        )
        for user in users
    ]


async def member_of(session: AsyncSession, principal: Principal, user_id: int) -> User:
    """A current member of the caller's workspace; anyone else is a 404, as if they did not exist.

    Their row stays write-locked until the transaction ends, so a login or refresh racing the
    change waits for it (`accounts.get_for_sign_in`) and the revocation instant, taken after the
    lock, follows every token issued with the old state.
    """
    user = await accounts.get_for_update(session, user_id)
    if user is None or user.tenant_id != principal.tenant_id or user.removed_at is not None:
        raise NotFound()
    if user.is_platform_admin and not principal.platform_admin:
        raise PermissionDenied()
    return user


async def check_assignable(session: AsyncSession, principal: Principal, role: str) -> None:
    """`role` exists and grants nothing the caller lacks: nobody hands out more than they hold."""
    if await rbac.get_role_by_name(session, role) is None:
        raise InvalidRequest("Datos inválidos.", fields={"role": ["Rol no encontrado."]})
    if not principal.platform_admin and not set(await rbac.permission_names(session, role)) <= principal.permissions:
        raise RoleNotHeld()


async def change_role(
    session: AsyncSession, principal: Principal, *, user_id: int, role: str
) -> tuple[MemberRead, Revoked | None]:
    """Give a member another role (`PATCH /api/v1/members/{id}/`)."""
    user, revoked = await set_role(session, principal, user_id=user_id, role=role)
    return (await describe(session, [user]))[0], revoked


async def set_role(
    session: AsyncSession, principal: Principal, *, user_id: int, role: str
) -> tuple[User, Revoked | None]:
    """The one way a role changes (`/api/v1/members/{id}/` and 004's `/api/rbac/users/{id}/role/`):
    a current member of the caller's workspace, not the caller, not a platform admin unless the
    caller is one, and a role granting nothing the caller lacks."""
    user = await member_of(session, principal, user_id)
    if user.id == principal.user_id:
        raise NotOnYourself()
    await check_assignable(session, principal, role)
    return user, await assign_role(session, user, role)


async def change_role_by_id(
    session: AsyncSession, principal: Principal, *, user_id: int, role_id: int
) -> Revoked | None:
    """004's role change (`/api/rbac/users/{id}/role/`), the role named by its id, through the
    same checks as `set_role`: another workspace's or a removed user is a 404, the platform
    admin's account a 403 for anyone else, the caller's own a 400, and a role granting what the
    caller lacks a 403. The user's earlier tokens are refused everywhere at once (what the
    caller's process must refuse is returned)."""
    role = await rbac.get_role(session, role_id)
    if role is None:
        raise InvalidRequest("Datos inválidos.", fields={"rol_id": ["Rol no encontrado."]})
    _, revoked = await set_role(session, principal, user_id=user_id, role=role.nombre)
    return revoked


async def assign_role(session: AsyncSession, user: User, role: str) -> Revoked | None:
    """Set a user's role; their earlier tokens stop working everywhere, now. None if unchanged."""
    if user.role == role:
        return None
    previous, user.role = user.role, role
    await events.outbox.emit(
        session, events.UserRoleChanged(user_id=user.id, role=role, previous_role=previous), tenant_id=user.tenant_id
    )
    return await _revoke_tokens(session, user, reason="role_changed")


async def remove(session: AsyncSession, principal: Principal, user_id: int) -> Revoked:
    """Take a member out of the workspace: no login, no token, no session, no key of theirs works
    again. Their rows stay (what they did keeps its author)."""
    user = await member_of(session, principal, user_id)
    if user.id == principal.user_id:
        raise NotOnYourself()
    user.is_active = False
    user.removed_at = datetime.now(UTC)
    await sessions.end_sessions_of(session, user.id, reason="removed")
    key_ids = await apikeys.revoke_all_of(session, user.id)
    await events.outbox.emit(
        session, events.UserRemoved(user_id=user.id, tenant_id=user.tenant_id), tenant_id=user.tenant_id
    )
    revoked = await _revoke_tokens(session, user, reason="removed")
    return Revoked(user_id=user.id, at=revoked.at, api_key_ids=key_ids)


async def _revoke_tokens(session: AsyncSession, user: User, *, reason: str) -> Revoked:
    # Milliseconds rounded down, like a token's `iat`: a token issued in the same millisecond,
    # before the lock was ours, is refused; the gateway is told this exact value.
    at = math.floor(time.time() * 1000) / 1000
    await events.outbox.emit(
        session,
        events.UserTokensRevoked(user_id=user.id, tenant_id=user.tenant_id, revoked_at=at, reason=reason),
        tenant_id=user.tenant_id,
    )
    return Revoked(user_id=user.id, at=at)

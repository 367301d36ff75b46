"""API keys: a program's credential in a workspace, never worth more than its maker's own rights."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from auth import events, opaque
from auth.account import repository as accounts
from auth.apikey import repository
from auth.apikey.schemas import ApiKeyCreate, ApiKeyVerificationRead
from auth.errors import PermissionsNotHeld
from auth.models import ApiKey, Tenant
from auth.rbac import repository as rbac
from shared.errors import InvalidRequest, NotAuthenticated, NotFound
from shared.pagination import PageParams
from shared.repository import fetch_page
from shared.security import Principal
from shared.security.verifier import API_KEY_PREFIX

# `ak_` and 8 characters: enough to recognise a key in a list, nothing to guess it by.
DISPLAYED_PREFIX_LENGTH = len(API_KEY_PREFIX) + 8
LAST_USE_EVERY = timedelta(minutes=1)
MAX_LIFETIME = timedelta(days=3653)


async def create(session: AsyncSession, principal: Principal, body: ApiKeyCreate) -> tuple[ApiKey, str]:
    """The new key's row and the key itself, which is never stored (only its digest)."""
    if (body.role is None) == (body.permissions is None):
        raise InvalidRequest("Indique un rol o una lista de permisos (no ambos).", fields={"role": ["Rol o permisos."]})
    now = datetime.now(UTC)
    if body.expires_at is not None and not now < body.expires_at <= now + MAX_LIFETIME:
        raise InvalidRequest("Datos inválidos.", fields={"expires_at": ["Una fecha futura, dentro de 10 años."]})
    if body.role is not None:
        if await rbac.get_role_by_name(session, body.role) is None:
            raise InvalidRequest("Datos inválidos.", fields={"role": ["Rol no encontrado."]})
        granted = set(await rbac.permission_names(session, body.role))
    else:
        granted = set(body.permissions or [])
        malformed = sorted(p for p in granted if p.count(":") != 1 or "" in p.split(":"))
        if malformed:
            raise InvalidRequest("Datos inválidos.", fields={"permissions": ["Formato <modulo>:<operacion>."]})
    if not granted <= principal.permissions:
        raise PermissionsNotHeld()
    key = opaque.new_secret(API_KEY_PREFIX)
    row = await repository.add(
        session,
        ApiKey(
            id=uuid.uuid4().hex,
            tenant_id=principal.tenant_id,
            user_id=principal.user_id,
            name=body.name,
            prefix=key[:DISPLAYED_PREFIX_LENGTH],
            key_hash=opaque.digest(key),
            role=body.role,
            permissions=sorted(granted) if body.permissions is not None else None,
            expires_at=body.expires_at,
        ),
    )
    await session.refresh(row, ["created_at"])
    return row, key


async def page(session: AsyncSession, tenant_id: int, params: PageParams) -> tuple[int, Sequence[ApiKey]]:
    return await fetch_page(session, repository.of_tenant(tenant_id), params)


async def revoke(session: AsyncSession, principal: Principal, key_id: str) -> str | None:
    """Revoke a key of the caller's workspace (another workspace's is a 404); its id, or None
    if it already was revoked (answered alike: revoking is idempotent)."""
    key = await repository.get(session, key_id)
    if key is None or key.tenant_id != principal.tenant_id:
        raise NotFound()
    if key.revoked_at is not None:
        return None
    key.revoked_at = datetime.now(UTC)
    await announce_revoked(session, key)
    return key.id


async def revoke_all_of(session: AsyncSession, user_id: int) -> list[str]:
    """Revoke every key a user made (they were removed); the revoked ids."""
    revoked = await repository.revoke_all_of(session, user_id, now=datetime.now(UTC))
    for key in revoked:
        await announce_revoked(session, key)
    return [key.id for key in revoked]


async def announce_revoked(session: AsyncSession, key: ApiKey) -> None:
    await events.outbox.emit(
        session, events.ApiKeyRevoked(key_id=key.id, tenant_id=key.tenant_id), tenant_id=key.tenant_id
    )


async def verify(session: AsyncSession, key: str) -> ApiKeyVerificationRead:
    """Who a key acts as, for any service's verifier; 401 for an unknown, revoked or expired key,
    or one whose maker was removed or whose workspace is inactive."""
    now = datetime.now(UTC)
    row = await repository.by_digest(session, opaque.digest(key)) if key.startswith(API_KEY_PREFIX) else None
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise NotAuthenticated("Clave de API inválida.")
    maker = await accounts.get(session, row.user_id)
    tenant = await session.get(Tenant, row.tenant_id)
    if maker is None or not maker.is_active or maker.tenant_id != row.tenant_id or tenant is None:
        raise NotAuthenticated("Clave de API inválida.")
    if not tenant.is_active:
        raise NotAuthenticated("Clave de API inválida.")
    # Never more than the maker holds today: a demoted maker's keys shrink with them.
    held = set(await rbac.permission_names(session, maker.role))
    granted = set(await rbac.permission_names(session, row.role)) if row.role else set(row.permissions or [])
    await repository.touch(session, row.id, now=now, every=LAST_USE_EVERY)
    return ApiKeyVerificationRead(
        key_id=row.id,
        user_id=maker.id,
        tenant_id=row.tenant_id,
        role=row.role or maker.role,
        permissions=sorted(granted & held),
        platform_admin=False,
        expires_at=int(row.expires_at.timestamp()) if row.expires_at else None,
    )

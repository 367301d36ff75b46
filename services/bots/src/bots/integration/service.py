"""A workspace's provider integrations: keys sealed at rest, base URLs through the SSRF guard."""

import base64
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.errors import IntegrationNotFound
from bots.integration.schemas import IntegrationCreate, IntegrationRead, IntegrationUpdate
from bots.models import Integration
from bots.provider.registry import Credentials
from shared.crypto import SecretCipher
from shared.errors import InvalidRequest
from shared.outbound import OutboundPolicy, checked_address
from shared.security import Principal
from shared.validation import changes


async def get(session: AsyncSession, principal: Principal, integration_id: int) -> Integration:
    found = await session.scalar(
        select(Integration).where(Integration.id == integration_id, Integration.tenant_id == principal.tenant_id)
    )
    if found is None:
        raise IntegrationNotFound()
    return found


async def listing(session: AsyncSession, principal: Principal) -> list[Integration]:
    query = select(Integration).where(Integration.tenant_id == principal.tenant_id).order_by(Integration.id)
    return list(await session.scalars(query))


async def _check(integration: Integration, policy: OutboundPolicy) -> None:
    """A base URL must pass the SSRF guard now (and does again on every call)."""
    if integration.provider == "openai_compatible" and not integration.base_url:
        raise InvalidRequest(
            "Un servidor compatible con OpenAI necesita base_url.", fields={"base_url": ["Requerido."]}
        )
    if integration.base_url:
        await checked_address(integration.base_url, policy)


async def create(
    session: AsyncSession, principal: Principal, body: IntegrationCreate, cipher: SecretCipher, policy: OutboundPolicy
) -> Integration:
    values = changes(body)
    api_key = values.pop("api_key", None)
    integration = Integration(tenant_id=principal.tenant_id, **values)
    integration.api_key_sealed = cipher.seal(api_key.encode()) if api_key else None
    await _check(integration, policy)
    session.add(integration)
    await session.flush()
    return integration


async def update(
    session: AsyncSession,
    integration: Integration,
    body: IntegrationCreate | IntegrationUpdate,
    cipher: SecretCipher,
    policy: OutboundPolicy,
) -> Integration:
    values: dict[str, Any] = changes(body)
    if "api_key" in values:
        api_key = values.pop("api_key")
        if api_key is not None or isinstance(body, IntegrationUpdate):
            integration.api_key_sealed = cipher.seal(api_key.encode()) if api_key else None
    for name, value in values.items():
        setattr(integration, name, value)
    await _check(integration, policy)
    await session.flush()
    return integration


async def delete(session: AsyncSession, integration: Integration) -> None:
    await session.delete(integration)
    await session.flush()


async def credentials_for(session: AsyncSession, tenant_id: int, kind: str) -> Credentials | None:
    """The workspace's first enabled integration of `kind`."""
    return (await credentials_of(session, tenant_id, {kind})).get(kind)


async def credentials_of(session: AsyncSession, tenant_id: int, kinds: Collection[str]) -> dict[str, Credentials]:
    """The workspace's first enabled integration of each of `kinds` that it has, in one query."""
    if not kinds:
        return {}
    rows = await session.scalars(
        select(Integration)
        .where(Integration.tenant_id == tenant_id, Integration.provider.in_(sorted(kinds)), Integration.enabled)
        .order_by(Integration.id)
    )
    found: dict[str, Credentials] = {}
    for row in rows:
        found.setdefault(row.provider, Credentials(row.id, row.provider, row.base_url, row.api_key_sealed,
                                                   row.updated_at))  # fmt: skip
    return found


def credentials_from(rows: list[list[Any]]) -> dict[str, Credentials]:
    """`credentials_of`'s answer from rows read as JSON: id, provider, base_url, the sealed key
    in base64, updated_at in ISO 8601 (`turn.repository.read_for_turn`)."""
    return {
        provider: Credentials(int(id_), provider, base_url, base64.b64decode(key) if key is not None else None,
                              datetime.fromisoformat(updated_at))
        for id_, provider, base_url, key, updated_at in rows
    }  # fmt: skip


def as_out(integration: Integration) -> IntegrationRead:
    return IntegrationRead(
        id=integration.id, nombre=integration.nombre, provider=integration.provider, enabled=integration.enabled,
        base_url=integration.base_url, has_api_key=integration.api_key_sealed is not None,
        created_at=integration.created_at, updated_at=integration.updated_at,
    )  # fmt: skip

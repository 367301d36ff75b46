"""auth's workspace events into chat's `workspaces` read model."""

from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.workspace import service
from shared.events import Envelope


async def on_tenant_upserted(session: AsyncSession, envelope: Envelope, event: events.TenantUpserted) -> None:
    await service.upsert(
        session, event.tenant_id, name=event.name, is_active=event.is_active, version=envelope.occurred_at
    )


async def on_tenant_deactivated(session: AsyncSession, envelope: Envelope, event: events.TenantDeactivated) -> None:
    await service.deactivate(session, event.tenant_id, version=envelope.occurred_at)

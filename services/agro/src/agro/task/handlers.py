"""Inbound events: brain's suggestions become `ia` tasks (the consumer's inbox makes it once)."""

from sqlalchemy.ext.asyncio import AsyncSession

from agro.task import service
from shared.events import Envelope


async def on_task_suggested(session: AsyncSession, event: Envelope) -> None:
    if event.tenant_id is None:
        return
    await service.suggest(session, tenant_id=event.tenant_id, data=event.data)

"""Inbound events: brain's suggestions become `ia` tasks (the consumer's inbox makes it once)."""

from sqlalchemy.ext.asyncio import AsyncSession

from agro.events import TaskSuggested
from agro.task import service
from shared.events import Envelope


async def on_task_suggested(session: AsyncSession, envelope: Envelope, suggestion: TaskSuggested) -> None:
    if envelope.tenant_id is None:
        return
    await service.suggest(session, tenant_id=envelope.tenant_id, suggestion=suggestion)

"""Inbound events: agro's tasks, for the KPIs and to close the suggestions they settle."""

from sqlalchemy.ext.asyncio import AsyncSession

from brain.events import TaskCreated, TaskDecided, TaskDeleted
from brain.task import service
from shared.events import Envelope


async def on_task_created(session: AsyncSession, envelope: Envelope, event: TaskCreated) -> None:
    await service.record_created(
        session,
        tarea_id=event.tarea_id,
        tenant_id=envelope.tenant_id or 0,
        parcela_id=event.parcela_id,
        origen=event.origen,
        regla_id=event.regla_id,
        at=envelope.occurred_at,
    )


async def on_task_decided(session: AsyncSession, envelope: Envelope, event: TaskDecided) -> None:
    await service.record_decision(
        session,
        tarea_id=event.tarea_id,
        tenant_id=envelope.tenant_id or 0,
        parcela_id=event.parcela_id,
        origen=event.origen,
        regla_id=event.regla_id,
        decision=event.decision,
        at=envelope.occurred_at,
    )


async def on_task_deleted(session: AsyncSession, envelope: Envelope, event: TaskDeleted) -> None:
    await service.record_deletion(
        session, parcela_id=event.parcela_id, origen=event.origen, regla_id=event.regla_id, at=envelope.occurred_at
    )

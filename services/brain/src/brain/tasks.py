"""agro's tasks as the KPIs count them, and closing suggestions the farmer dealt with."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from brain import alerts, events
from brain.models import Task
from shared.events import Envelope


async def on_task_created(session: AsyncSession, envelope: Envelope, event: events.TaskCreated) -> None:
    values = {
        "tenant_id": envelope.tenant_id or 0,
        "parcela_id": event.parcela_id,
        "origen": event.origen,
        "regla_id": event.regla_id,
        "created_at": envelope.occurred_at,
    }
    statement = insert(Task).values(tarea_id=event.tarea_id, decision="pendiente", **values)
    # The decision may have been consumed first (another consumer): keep it.
    await session.execute(statement.on_conflict_do_update(index_elements=[Task.tarea_id], set_=values))


async def on_task_decided(session: AsyncSession, envelope: Envelope, event: events.TaskDecided) -> None:
    statement = insert(Task).values(
        tarea_id=event.tarea_id,
        tenant_id=envelope.tenant_id or 0,
        parcela_id=event.parcela_id,
        origen=event.origen,
        regla_id=event.regla_id,
        decision=event.decision,
        created_at=envelope.occurred_at,
    )
    await session.execute(
        statement.on_conflict_do_update(index_elements=[Task.tarea_id], set_={"decision": event.decision})
    )
    if event.origen == "ia":
        await alerts.close_suggestion(session, event.parcela_id, event.regla_id, envelope.occurred_at)


async def on_task_deleted(session: AsyncSession, envelope: Envelope, event: events.TaskDeleted) -> None:
    if event.origen == "ia":
        await alerts.close_suggestion(session, event.parcela_id, event.regla_id, envelope.occurred_at)

"""agro's tasks as the KPIs count them, and closing suggestions the farmer dealt with."""

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from brain.alert import service as alerts
from brain.models import Task


async def record_created(
    session: AsyncSession,
    *,
    tarea_id: int,
    tenant_id: int,
    parcela_id: int,
    origen: str,
    regla_id: int | None,
    at: datetime,
) -> None:
    values = {
        "tenant_id": tenant_id,
        "parcela_id": parcela_id,
        "origen": origen,
        "regla_id": regla_id,
        "created_at": at,
    }
    statement = insert(Task).values(tarea_id=tarea_id, decision="pendiente", **values)
    # The decision may have been consumed first (another consumer): keep it.
    await session.execute(statement.on_conflict_do_update(index_elements=[Task.tarea_id], set_=values))


async def record_decision(
    session: AsyncSession,
    *,
    tarea_id: int,
    tenant_id: int,
    parcela_id: int,
    origen: str,
    regla_id: int | None,
    decision: str,
    at: datetime,
) -> None:
    statement = insert(Task).values(
        tarea_id=tarea_id,
        tenant_id=tenant_id,
        parcela_id=parcela_id,
        origen=origen,
        regla_id=regla_id,
        decision=decision,
        created_at=at,
    )
    await session.execute(statement.on_conflict_do_update(index_elements=[Task.tarea_id], set_={"decision": decision}))
    if origen == "ia":
        await alerts.close_suggestion(session, parcela_id=parcela_id, regla_id=regla_id, at=at)


async def record_deletion(
    session: AsyncSession, *, parcela_id: int, origen: str, regla_id: int | None, at: datetime
) -> None:
    """A deleted suggestion is no longer open (the KPIs keep counting the task)."""
    if origen == "ia":
        await alerts.close_suggestion(session, parcela_id=parcela_id, regla_id=regla_id, at=at)

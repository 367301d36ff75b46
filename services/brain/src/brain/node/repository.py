"""Master nodes' last posts, and the sensors' rows the readings' statement keeps."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from brain.models import NodeSeen, Sensor, Subscription


async def mark_seen(session: AsyncSession, seen: dict[tuple[int, str], tuple[int, datetime]]) -> None:
    """Upsert (field, node code) -> (tenant, instant), keeping the later instant; in key order,
    so two replicas lock rows in the same order."""
    if not seen:
        return
    rows = [
        {"parcela_id": parcela_id, "codigo": codigo, "tenant_id": tenant_id, "last_seen": at}
        for (parcela_id, codigo), (tenant_id, at) in sorted(seen.items())
    ]
    statement = insert(NodeSeen).values(rows)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[NodeSeen.parcela_id, NodeSeen.codigo],
            set_={"last_seen": func.greatest(NodeSeen.last_seen, statement.excluded.last_seen)},
        )
    )


async def nodes_of_field(session: AsyncSession, parcela_id: int) -> Sequence[NodeSeen]:
    query = select(NodeSeen).where(NodeSeen.parcela_id == parcela_id).order_by(NodeSeen.codigo)
    return (await session.scalars(query)).all()


async def plan_minutes(session: AsyncSession, parcela_id: int) -> int | None:
    """The reading interval of the field's active plan (the shortest, should there be two)."""
    return await session.scalar(
        select(func.min(Subscription.frecuencia_minutos)).where(
            Subscription.parcela_id == parcela_id,
            Subscription.estado == "activo",
            ~Subscription.deleted,
            Subscription.frecuencia_minutos > 0,
        )
    )


async def sensors_of_field(session: AsyncSession, parcela_id: int) -> Sequence[Sensor]:
    query = select(Sensor).where(Sensor.parcela_id == parcela_id).order_by(Sensor.nodo_codigo, Sensor.parametro)
    return (await session.scalars(query)).all()


async def forget_field(session: AsyncSession, parcela_id: int) -> None:
    await session.execute(delete(NodeSeen).where(NodeSeen.parcela_id == parcela_id))

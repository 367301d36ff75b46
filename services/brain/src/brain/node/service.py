"""When a field's master nodes last posted and its sensors last reported, and which are silent.

A master node is stale when its last post is older than `stale_after_intervals` of its
field's plan interval: the same measure the sweep applies to sensors (`brain.alert`), read at
request time rather than flagged, since no alert hangs on it.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from brain.analytics.service import check_visible
from brain.config import settings
from brain.events import ReadingsReceived
from brain.node import repository
from brain.node.schemas import NodeSeenRead, SensorRead
from shared.events import Envelope
from shared.security import Principal


def last_posts(batch: Sequence[tuple[Envelope, ReadingsReceived]]) -> dict[tuple[int, str], tuple[int, datetime]]:
    """(field, node code) -> (tenant, newest acceptance instant) of a batch's posts."""
    seen: dict[tuple[int, str], tuple[int, datetime]] = {}
    for envelope, post in batch:
        if not post.codigo_nodo_maestro:
            continue
        key = (post.parcela_id, post.codigo_nodo_maestro[:100])
        at = envelope.occurred_at
        if key not in seen or seen[key][1] < at:
            seen[key] = (envelope.tenant_id or 0, at)
    return seen


async def record_posts(session: AsyncSession, *, batch: Sequence[tuple[Envelope, ReadingsReceived]]) -> None:
    await repository.mark_seen(session, last_posts(batch))


async def nodes_of_field(
    session: AsyncSession, principal: Principal, *, parcela_id: int, now: datetime | None = None
) -> list[NodeSeenRead]:
    await check_visible(session, principal, parcela_id)
    minutes = await repository.plan_minutes(session, parcela_id)
    now = now or datetime.now(UTC)
    limit = None if minutes is None else now - timedelta(minutes=minutes * settings.stale_after_intervals)
    return [
        NodeSeenRead(
            codigo_nodo_maestro=node.codigo,
            last_seen=node.last_seen,
            stale=limit is not None and node.last_seen < limit,
        )
        for node in await repository.nodes_of_field(session, parcela_id)
    ]


async def sensors_of_field(session: AsyncSession, principal: Principal, *, parcela_id: int) -> list[SensorRead]:
    await check_visible(session, principal, parcela_id)
    return [
        SensorRead(
            nodo_codigo=sensor.nodo_codigo,
            parametro=sensor.parametro,
            last_seen=sensor.last_seen,
            stale=sensor.stale_at is not None,
            stale_since=sensor.stale_at,
        )
        for sensor in await repository.sensors_of_field(session, parcela_id)
    ]


async def forget_field(session: AsyncSession, *, parcela_id: int) -> None:
    """A deleted field's nodes are not listed any more."""
    await repository.forget_field(session, parcela_id)

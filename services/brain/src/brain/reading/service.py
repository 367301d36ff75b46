"""Readings into brain: stored once each, then checked against the field's rules."""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from brain.alert import service as alerts
from brain.config import settings
from brain.events import ReadingsReceived
from brain.reading import repository
from brain.reading.repository import Rows
from brain.retention import service as retention

BATCHES = Histogram("brain_readings_batch_posts", "Posts per stored batch", buckets=(1, 5, 10, 25, 50, 100, 250))
LAG = Histogram(
    "brain_reading_lag_seconds",
    "From a post's newest instant to its storage",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60),
)
STORED = Counter("brain_readings_stored_total", "Readings stored (each once)")


def rows_of(posts: Sequence[tuple[int, ReadingsReceived]]) -> Rows:
    """The readings of (tenant, post) pairs, once per key (field, sensor, instant, node): the first value wins.

    Text is cut to the columns' widths rather than refused: ingest validated it already. The
    per-reading work of the whole pipeline's busiest loop: appends only, bound once.
    """
    rows = Rows()
    seen: set[tuple[int, str, datetime, str]] = set()
    add_key = seen.add
    parcelas, parametros, instants, nodos = (
        rows.parcela_id.append,
        rows.parametro.append,
        rows.t.append,
        rows.nodo_codigo.append,
    )
    valores, unidades, tenants = rows.valor.append, rows.unidad.append, rows.tenant_id.append
    for tenant_id, post in posts:
        parcela_id = post.parcela_id
        for lectura in post.lecturas:
            t, nodo = lectura.timestamp, lectura.nodo_codigo[:100]
            rows.days.add(t.astimezone(UTC).date())
            for value in lectura.sensores:
                key = (parcela_id, value.sensor[:100], t, nodo)
                if key in seen:
                    continue
                add_key(key)
                parcelas(parcela_id)
                parametros(key[1])
                instants(t)
                nodos(nodo)
                valores(value.valor)
                unidades(value.unidad[:20])
                tenants(tenant_id)
    return rows


async def record(session: AsyncSession, *, posts: Sequence[tuple[int, ReadingsReceived]]) -> None:
    """Store a batch of posts; clear the stale flags of sensors heard again; check recent values."""
    rows = rows_of(posts)
    await retention.ensure_partitions(session, days=rows.days)
    added, newest = await repository.store(session, rows)
    now = datetime.now(UTC)
    BATCHES.observe(len(posts))
    if not newest:
        return
    STORED.inc(added)
    for row in newest:
        LAG.observe(max(0.0, (now - row.t).total_seconds()))
    await alerts.sensors_back(session, parcela_ids={row.parcela_id for row in newest})
    recent = [row for row in newest if row.t >= now - timedelta(hours=settings.evaluate_max_age_hours)]
    await alerts.evaluate(session, values=recent, now=now)


async def forget_sensors(session: AsyncSession, *, parcela_id: int) -> None:
    """A deleted field's sensors are no longer watched."""
    await repository.delete_sensors(session, parcela_id)

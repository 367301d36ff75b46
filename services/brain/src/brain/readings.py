"""Storing readings in bulk: one statement per batch, idempotent by the reading's key.

The statement inserts the batch's readings, and only the rows it really added (RETURNING)
feed the hourly aggregates and the sensors' last-seen times, in the same statement: a
redelivered batch adds nothing twice, and the per-row work stays in PostgreSQL. It answers
the newest new value of each field's parameters, which the rules are checked against.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import Counter, Histogram
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from brain import alerts, events
from brain.config import settings
from shared.events import Envelope

BATCHES = Histogram("brain_readings_batch_posts", "Posts per stored batch", buckets=(1, 5, 10, 25, 50, 100, 250))
LAG = Histogram(
    "brain_reading_lag_seconds",
    "From a post's newest instant to its storage",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60),
)
STORED = Counter("brain_readings_stored_total", "Readings stored (each once)")

# Aggregates and sensors are upserted in key order, so two replicas lock rows in the same order.
_STORE = text("""
    WITH stored AS (
        INSERT INTO readings (parcela_id, parametro, t, nodo_codigo, valor, unidad, tenant_id)
        SELECT * FROM unnest(
            CAST(:parcela_id AS bigint[]), CAST(:parametro AS varchar[]), CAST(:t AS timestamptz[]),
            CAST(:nodo_codigo AS varchar[]), CAST(:valor AS float8[]), CAST(:unidad AS varchar[]),
            CAST(:tenant_id AS bigint[])
        )
        ON CONFLICT DO NOTHING
        RETURNING parcela_id, parametro, t, nodo_codigo, valor, tenant_id
    ), hours AS (
        INSERT INTO hourly AS h (parcela_id, parametro, hour, n, total, lo, hi)
        SELECT parcela_id, parametro, date_trunc('hour', t), count(*), sum(valor), min(valor), max(valor)
        FROM stored GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (parcela_id, parametro, hour) DO UPDATE SET
            n = h.n + excluded.n, total = h.total + excluded.total,
            lo = least(h.lo, excluded.lo), hi = greatest(h.hi, excluded.hi)
    ), seen AS (
        INSERT INTO sensors AS s (parcela_id, nodo_codigo, parametro, tenant_id, last_seen)
        SELECT parcela_id, nodo_codigo, parametro, max(tenant_id), max(t)
        FROM stored GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (parcela_id, nodo_codigo, parametro) DO UPDATE SET
            last_seen = greatest(s.last_seen, excluded.last_seen)
    )
    SELECT DISTINCT ON (parcela_id, parametro) parcela_id, parametro, t, nodo_codigo, valor, tenant_id,
        (SELECT count(*) FROM stored) AS added
    FROM stored ORDER BY parcela_id, parametro, t DESC
""")


@dataclass(frozen=True, slots=True)
class Stored:
    """The newest value a batch added for one field's parameter."""

    parcela_id: int
    parametro: str
    t: datetime
    nodo_codigo: str
    valor: float
    tenant_id: int


async def store_batch(session: AsyncSession, batch: Sequence[tuple[Envelope, events.ReadingsReceived]]) -> None:
    """The readings consumer's handler (see `shared.events.batch`)."""
    newest = await store(session, batch)
    now = datetime.now(UTC)
    BATCHES.observe(len(batch))
    if not newest:
        return
    for row in newest:
        LAG.observe(max(0.0, (now - row.t).total_seconds()))
    await alerts.sensors_back(session, {row.parcela_id for row in newest})
    recent = [row for row in newest if row.t >= now - timedelta(hours=settings.evaluate_max_age_hours)]
    await alerts.evaluate(session, recent, now)


async def store(session: AsyncSession, batch: Sequence[tuple[Envelope, events.ReadingsReceived]]) -> list[Stored]:
    rows: dict[tuple[int, str, datetime, str], tuple[float, str, int]] = {}
    for envelope, post in batch:
        for lectura in post.lecturas:
            for value in lectura.sensores:
                key = (post.parcela_id, value.sensor[:100], lectura.timestamp, lectura.nodo_codigo[:100])
                rows.setdefault(key, (value.valor, value.unidad[:20], envelope.tenant_id or 0))
    if not rows:
        return []
    keys = list(rows)
    params = {
        "parcela_id": [k[0] for k in keys],
        "parametro": [k[1] for k in keys],
        "t": [k[2] for k in keys],
        "nodo_codigo": [k[3] for k in keys],
        "valor": [rows[k][0] for k in keys],
        "unidad": [rows[k][1] for k in keys],
        "tenant_id": [rows[k][2] for k in keys],
    }
    newest = (await session.execute(_STORE, params)).all()
    if newest:
        STORED.inc(newest[0].added)
    return [Stored(*row[:6]) for row in newest]

"""Storing readings in bulk: one statement per table per batch, idempotent by the reading's key.

Only the rows the insert really added (RETURNING) feed the hourly aggregates, the sensors'
last-seen times and the rules, so a redelivered batch adds nothing twice.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from brain import alerts, events
from brain.config import settings
from shared.events import Envelope

_INSERT_READINGS = text("""
    INSERT INTO readings (parcela_id, parametro, t, nodo_codigo, valor, unidad, tenant_id)
    SELECT * FROM unnest(
        CAST(:parcela_id AS bigint[]), CAST(:parametro AS varchar[]), CAST(:t AS timestamptz[]),
        CAST(:nodo_codigo AS varchar[]), CAST(:valor AS float8[]), CAST(:unidad AS varchar[]),
        CAST(:tenant_id AS bigint[])
    )
    ON CONFLICT DO NOTHING
    RETURNING parcela_id, parametro, t, nodo_codigo, valor, tenant_id
""")

# Keys arrive sorted, so two replicas updating the same hours lock them in the same order.
_UPSERT_HOURLY = text("""
    INSERT INTO hourly AS h (parcela_id, parametro, hour, n, total, lo, hi)
    SELECT * FROM unnest(
        CAST(:parcela_id AS bigint[]), CAST(:parametro AS varchar[]), CAST(:hour AS timestamptz[]),
        CAST(:n AS bigint[]), CAST(:total AS float8[]), CAST(:lo AS float8[]), CAST(:hi AS float8[])
    )
    ON CONFLICT (parcela_id, parametro, hour) DO UPDATE SET
        n = h.n + excluded.n, total = h.total + excluded.total,
        lo = least(h.lo, excluded.lo), hi = greatest(h.hi, excluded.hi)
""")


@dataclass(frozen=True, slots=True)
class Stored:
    parcela_id: int
    parametro: str
    t: datetime
    nodo_codigo: str
    valor: float
    tenant_id: int


async def store_batch(session: AsyncSession, batch: Sequence[tuple[Envelope, events.ReadingReceived]]) -> None:
    """The readings consumer's handler (see `shared.events.batch`)."""
    stored = await insert_readings(session, batch)
    if not stored:
        return
    await update_hourly(session, stored)
    await alerts.sensors_reported(session, stored)
    now = datetime.now(UTC)
    recent = [row for row in stored if row.t >= now - timedelta(hours=settings.evaluate_max_age_hours)]
    await alerts.evaluate(session, recent, now)


async def insert_readings(
    session: AsyncSession, batch: Sequence[tuple[Envelope, events.ReadingReceived]]
) -> list[Stored]:
    rows: dict[tuple[int, str, datetime, str], tuple[float, str, int]] = {}
    for envelope, reading in batch:
        for value in reading.sensores:
            key = (reading.parcela_id, value.sensor[:100], reading.timestamp, reading.nodo_codigo[:100])
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
    result = await session.execute(_INSERT_READINGS, params)
    return [Stored(*row) for row in result.all()]


async def update_hourly(session: AsyncSession, stored: Sequence[Stored]) -> None:
    buckets: dict[tuple[int, str, datetime], list[float]] = {}
    for row in stored:
        key = (row.parcela_id, row.parametro, row.t.replace(minute=0, second=0, microsecond=0))
        bucket = buckets.get(key)
        if bucket is None:
            buckets[key] = [1, row.valor, row.valor, row.valor]
        else:
            bucket[0] += 1
            bucket[1] += row.valor
            bucket[2] = min(bucket[2], row.valor)
            bucket[3] = max(bucket[3], row.valor)
    keys = sorted(buckets)
    await session.execute(
        _UPSERT_HOURLY,
        {
            "parcela_id": [k[0] for k in keys],
            "parametro": [k[1] for k in keys],
            "hour": [k[2] for k in keys],
            "n": [int(buckets[k][0]) for k in keys],
            "total": [buckets[k][1] for k in keys],
            "lo": [buckets[k][2] for k in keys],
            "hi": [buckets[k][3] for k in keys],
        },
    )

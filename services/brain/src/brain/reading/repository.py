"""Storing readings in bulk: one statement per batch, idempotent by the reading's key.

The statement inserts the batch's readings, and only the rows it really added (RETURNING)
feed the hourly and daily aggregates and the sensors' last-seen times, in the same statement: a
redelivered batch adds nothing twice, and the per-row work stays in PostgreSQL. It answers
the newest new value of each field's parameters, which the rules are checked against.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncSession

from brain.models import Sensor

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
    ), days AS (
        INSERT INTO daily AS d (parcela_id, parametro, day, n, total, lo, hi)
        SELECT parcela_id, parametro, date_trunc('day', t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
            count(*), sum(valor), min(valor), max(valor)
        FROM stored GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (parcela_id, parametro, day) DO UPDATE SET
            n = d.n + excluded.n, total = d.total + excluded.total,
            lo = least(d.lo, excluded.lo), hi = greatest(d.hi, excluded.hi)
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
class Row:
    """One reading to store, as the batch's posts carry it."""

    parcela_id: int
    parametro: str
    t: datetime
    nodo_codigo: str
    valor: float
    unidad: str
    tenant_id: int


@dataclass(frozen=True, slots=True)
class Stored:
    """The newest value a batch added for one field's parameter."""

    parcela_id: int
    parametro: str
    t: datetime
    nodo_codigo: str
    valor: float
    tenant_id: int


async def store(session: AsyncSession, rows: list[Row]) -> tuple[int, list[Stored]]:
    """(how many readings were new, the newest new value of each field's parameter)."""
    if not rows:
        return 0, []
    params = {
        "parcela_id": [row.parcela_id for row in rows],
        "parametro": [row.parametro for row in rows],
        "t": [row.t for row in rows],
        "nodo_codigo": [row.nodo_codigo for row in rows],
        "valor": [row.valor for row in rows],
        "unidad": [row.unidad for row in rows],
        "tenant_id": [row.tenant_id for row in rows],
    }
    newest = (await session.execute(_STORE, params)).all()
    if not newest:
        return 0, []
    return int(newest[0].added), [Stored(*row[:6]) for row in newest]


async def delete_sensors(session: AsyncSession, parcela_id: int) -> None:
    await session.execute(delete(Sensor).where(Sensor.parcela_id == parcela_id))

"""Storing readings in bulk: one statement per batch, idempotent by the reading's key.

The statement inserts the batch's readings, and only the rows it really added (RETURNING)
feed the hourly and daily aggregates and the sensors' last-seen times, in the same statement: a
redelivered batch adds nothing twice, and the per-row work stays in PostgreSQL. It answers
the newest new value of each field's parameters, which the rules are checked against.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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


@dataclass(slots=True)
class Rows:
    """The readings to store, column by column: the statement's arrays, filled with no object
    per reading (a batch holds tens of thousands), and the UTC days they fall on."""

    parcela_id: list[int] = field(default_factory=list)
    parametro: list[str] = field(default_factory=list)
    t: list[datetime] = field(default_factory=list)
    nodo_codigo: list[str] = field(default_factory=list)
    valor: list[float] = field(default_factory=list)
    unidad: list[str] = field(default_factory=list)
    tenant_id: list[int] = field(default_factory=list)
    days: set[date] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.parcela_id)

    def columns(self) -> dict[str, list[Any]]:
        return {name: getattr(self, name) for name in _COLUMNS}


_COLUMNS = ("parcela_id", "parametro", "t", "nodo_codigo", "valor", "unidad", "tenant_id")


@dataclass(frozen=True, slots=True)
class Stored:
    """The newest value a batch added for one field's parameter."""

    parcela_id: int
    parametro: str
    t: datetime
    nodo_codigo: str
    valor: float
    tenant_id: int


async def store(session: AsyncSession, rows: Rows) -> tuple[int, list[Stored]]:
    """(how many readings were new, the newest new value of each field's parameter)."""
    if not rows:
        return 0, []
    newest = (await session.execute(_STORE, rows.columns())).all()
    if not newest:
        return 0, []
    return int(newest[0].added), [Stored(*row[:6]) for row in newest]


async def delete_sensors(session: AsyncSession, parcela_id: int) -> None:
    await session.execute(delete(Sensor).where(Sensor.parcela_id == parcela_id))

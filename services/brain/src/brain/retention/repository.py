"""The statements of retention: `readings`' daily partitions, the plans' terms, pruning aggregates.

A partition is made as a plain table and then attached: ATTACH takes SHARE UPDATE EXCLUSIVE on
`readings`, which blocks neither reads nor inserts (CREATE TABLE ... PARTITION OF would take
ACCESS EXCLUSIVE). Detaching and dropping take ACCESS EXCLUSIVE for an instant, under a short
lock timeout so that a long query never queues every other one behind them.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from brain.models import SCHEMA

PREFIX = "readings_p"
_LOCK_TIMEOUT = text("SET LOCAL lock_timeout = '2s'")


def partition_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def day_of(name: str) -> date | None:
    """The UTC day of a partition named by `partition_name` (None for any other table)."""
    try:
        return datetime.strptime(name.removeprefix(PREFIX), "%Y%m%d").date() if name.startswith(PREFIX) else None
    except ValueError:
        return None


def _midnight(day: date) -> str:
    return datetime.combine(day, time(0)).isoformat() + "+00:00"


async def missing_days(session: AsyncSession, days: list[date]) -> list[date]:
    """Which of `days` have no partition yet (one catalogue lookup)."""
    rows = await session.scalars(
        text(
            "SELECT d FROM unnest(CAST(:days AS date[])) AS d "
            f"WHERE to_regclass('{SCHEMA}.{PREFIX}' || to_char(d, 'YYYYMMDD')) IS NULL ORDER BY d"
        ),
        {"days": days},
    )
    return list(rows)


async def create_partition(session: AsyncSession, day: date) -> bool:
    """Make the partition of `day` unless there is one; True if made. Replicas making the same
    one at once wait for each other on a transaction-level advisory lock, then find it made."""
    name = partition_name(day)
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": f"{SCHEMA}.{name}"})
    if await session.scalar(text("SELECT to_regclass(:name)"), {"name": f"{SCHEMA}.{name}"}) is not None:
        return False
    await session.execute(text(f'CREATE TABLE {SCHEMA}."{name}" (LIKE {SCHEMA}.readings INCLUDING DEFAULTS)'))
    bounds = f"FROM ('{_midnight(day)}') TO ('{_midnight(day + timedelta(days=1))}')"
    await session.execute(text(f'ALTER TABLE {SCHEMA}.readings ATTACH PARTITION {SCHEMA}."{name}" FOR VALUES {bounds}'))
    return True


async def wait_for_locks_briefly(session: AsyncSession) -> None:
    """For the rest of the transaction, give up on a lock after 2 s rather than queue behind a
    long query (and every query after it behind us): maintenance tries again next run."""
    await session.execute(_LOCK_TIMEOUT)


async def partition_days(session: AsyncSession) -> list[date]:
    """The days `readings` has a partition for, oldest first."""
    names = await session.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            f"WHERE i.inhparent = '{SCHEMA}.readings'::regclass"
        )
    )
    return sorted(day for day in map(day_of, names) if day is not None)


async def drop_partition(session: AsyncSession, day: date) -> int:
    """Detach and drop the partition of `day`; returns PostgreSQL's estimate of its rows (the
    planner's `reltuples`: counting a day of readings would take longer than dropping it)."""
    name = partition_name(day)
    await session.execute(_LOCK_TIMEOUT)
    rows = await session.scalar(
        text("SELECT greatest(reltuples, 0)::bigint FROM pg_class WHERE oid = to_regclass(:name)"),
        {"name": f"{SCHEMA}.{name}"},
    )
    await session.execute(text(f'ALTER TABLE {SCHEMA}.readings DETACH PARTITION {SCHEMA}."{name}"'))
    await session.execute(text(f'DROP TABLE {SCHEMA}."{name}"'))
    return int(rows or 0)


@dataclass(frozen=True, slots=True)
class Terms:
    """How long a field's data is kept: raw days, hourly months, daily years."""

    raw_days: int
    hourly_months: int
    daily_years: int


_ACTIVE = "estado = 'activo' AND NOT deleted"


async def terms_of_field(session: AsyncSession, parcela_id: int, defaults: Terms) -> Terms:
    """The field's active plan's terms; a term the plan does not say (or no plan): the default."""
    row = (
        await session.execute(
            text(
                "SELECT coalesce(max(retencion_lecturas_dias), :raw), coalesce(max(retencion_horaria_meses), :hourly), "
                f"coalesce(max(retencion_diaria_anios), :daily) FROM subscriptions WHERE parcela_id = :p AND {_ACTIVE}"
            ),
            {
                "p": parcela_id,
                "raw": defaults.raw_days,
                "hourly": defaults.hourly_months,
                "daily": defaults.daily_years,
            },
        )
    ).one()
    return Terms(int(row[0]), int(row[1]), int(row[2]))


async def longest_raw_days(session: AsyncSession, default: int) -> int:
    """The longest raw retention of any active plan, or the default if longer: partitions hold
    every field's readings, so only days past every field's retention can be dropped."""
    found = await session.scalar(text(f"SELECT max(retencion_lecturas_dias) FROM subscriptions WHERE {_ACTIVE}"))
    return max(default, int(found or 0))


# Each (field, parameter) of the table, found by a loose index scan of its key (one probe per
# series, not a scan of every row), then each series' rows past its field's horizon deleted
# through the same key: only the doomed rows are read.
_PRUNE = """
    WITH RECURSIVE series AS (
        (SELECT parcela_id, parametro FROM {table} ORDER BY parcela_id, parametro LIMIT 1)
        UNION ALL
        SELECT next.parcela_id, next.parametro FROM series, LATERAL (
            SELECT a.parcela_id, a.parametro FROM {table} a
            WHERE (a.parcela_id, a.parametro) > (series.parcela_id, series.parametro)
            ORDER BY a.parcela_id, a.parametro LIMIT 1
        ) AS next
    ), terms AS (
        SELECT parcela_id, max({term}) AS kept FROM subscriptions WHERE {active} GROUP BY parcela_id
    )
    DELETE FROM {table} a USING series s LEFT JOIN terms ON terms.parcela_id = s.parcela_id
    WHERE a.parcela_id = s.parcela_id AND a.parametro = s.parametro
        AND a.{column} < {horizon}
"""
_HOURS_PAST = _PRUNE.format(
    table="hourly",
    term="retencion_horaria_meses",
    active=_ACTIVE,
    column="hour",
    horizon="date_trunc('hour', (CAST(:now AS timestamptz) - make_interval(months => coalesce(terms.kept, :default))) "
    "AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
)
_DAYS_PAST = _PRUNE.format(
    table="daily",
    term="retencion_diaria_anios",
    active=_ACTIVE,
    column="day",
    horizon="date_trunc('day', (CAST(:now AS timestamptz) - make_interval(years => coalesce(terms.kept, :default))) "
    "AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'",
)


async def delete_hours_past(session: AsyncSession, *, now: datetime, default_months: int) -> int:
    await session.execute(_LOCK_TIMEOUT)
    result = await session.execute(text(_HOURS_PAST), {"now": now, "default": default_months})
    return int(getattr(result, "rowcount", 0) or 0)


async def delete_days_past(session: AsyncSession, *, now: datetime, default_years: int) -> int:
    await session.execute(_LOCK_TIMEOUT)
    result = await session.execute(text(_DAYS_PAST), {"now": now, "default": default_years})
    return int(getattr(result, "rowcount", 0) or 0)

"""How long brain keeps a field's readings, and the maintenance that holds it to that.

Three levels: each reading (`readings`, partitioned by UTC day), hourly aggregates (`hourly`)
and daily ones (`daily`, UTC days), kept for the terms of the field's active plan (agro's
`retencion_lecturas_dias`, `retencion_horaria_meses`, `retencion_diaria_anios`; a field with
no plan, or a term its plan's event did not carry, gets the settings' defaults).

Raw readings go only as whole partitions, and a partition holds every field's readings of its
day, so a day is dropped once it is past the longest raw term of any active plan. A field whose
plan keeps less has its older readings hidden instead: every read asks `horizons` first, and
nothing before a level's horizon is ever shown. Aggregates are pruned field by field to their
own terms, and hidden the same way between two runs.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain.config import settings
from brain.models import SCHEMA
from brain.retention import repository
from brain.retention.repository import Terms
from shared.maintenance import PARTITIONS, MaintenanceJob

Level = Literal["crudo", "hora", "dia"]

PARTITIONS_JOB = "readings.partitions"
AGGREGATES_JOB = "readings.aggregates"
# Readings stored into a day with no partition yet make it (counted under this label).
STORE_LABEL = "readings.store"


@dataclass(frozen=True, slots=True)
class Horizons:
    """The oldest instant each level still shows for one field: raw readings from `crudo` on,
    hours starting from `hora` on (a whole hour), UTC days starting from `dia` on (a midnight)."""

    crudo: datetime
    hora: datetime
    dia: datetime

    def keeps(self, level: Level, since: datetime) -> bool:
        """Whether `level` still holds everything from `since` on."""
        if level == "crudo":
            return since >= self.crudo
        if level == "hora":
            return _floor_hour(since) >= self.hora
        return _floor_day(since) >= self.dia


def default_terms() -> Terms:
    return Terms(settings.retention_raw_days, settings.retention_hourly_months, settings.retention_daily_years)


def horizons_of(terms: Terms, now: datetime) -> Horizons:
    """The same arithmetic as the pruning statements (PostgreSQL's month and year intervals)."""
    return Horizons(
        crudo=now - timedelta(days=terms.raw_days),
        hora=_floor_hour(_months_before(now, terms.hourly_months)),
        dia=_floor_day(_months_before(now, 12 * terms.daily_years)),
    )


async def horizons(session: AsyncSession, parcela_id: int, *, now: datetime) -> Horizons:
    return horizons_of(await repository.terms_of_field(session, parcela_id, default_terms()), now)


def finest_level(horizons: Horizons, since: datetime, levels: Iterable[Level]) -> Level:
    """The first of `levels` (finest first) that still holds everything from `since` on; else
    `dia`, the coarsest, which then answers from its horizon on."""
    return next((level for level in levels if horizons.keeps(level, since)), "dia")


async def ensure_partitions(session: AsyncSession, *, days: Iterable[date], job: str = STORE_LABEL) -> int:
    """Make the partitions of `days` that are missing, in the caller's transaction; how many.

    The store's path: a reading for a day outside every partition (a node's buffer from long
    ago, a clock far ahead) makes its day rather than being lost or refused; the check is one
    catalogue lookup per batch.
    """
    made = 0
    for day in await repository.missing_days(session, sorted(set(days))):
        made += await repository.create_partition(session, day)
    if made:
        PARTITIONS.labels(SCHEMA, job, "created").inc(made)
    return made


async def make_partitions(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime | None = None) -> int:
    """Yesterday's to `partitions_ahead_days` ahead, each in a short transaction; how many made."""
    today = (now or datetime.now(UTC)).astimezone(UTC).date()
    days = [today + timedelta(days=offset) for offset in range(-1, settings.partitions_ahead_days + 1)]
    async with sessionmaker() as session:
        missing = await repository.missing_days(session, days)
    made = 0
    for day in missing:
        async with sessionmaker() as session, session.begin():
            await repository.wait_for_locks_briefly(session)
            made += await ensure_partitions(session, days=[day], job=PARTITIONS_JOB)
    return made


async def keep_partitions(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime | None = None) -> int:
    """The partitions job: make the days ahead; detach and drop every day past the longest raw
    term of any plan, one transaction each. Returns the rows dropped (PostgreSQL's estimate)."""
    now = now or datetime.now(UTC)
    await make_partitions(sessionmaker, now=now)
    async with sessionmaker() as session:
        kept_days = await repository.longest_raw_days(session, settings.retention_raw_days)
        days = await repository.partition_days(session)
    cutoff = now - timedelta(days=kept_days)
    removed = 0
    for day in days:
        if datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) > cutoff:
            break  # oldest first: this day and the later ones still hold readings kept
        async with sessionmaker() as session, session.begin():
            removed += await repository.drop_partition(session, day)
        PARTITIONS.labels(SCHEMA, PARTITIONS_JOB, "dropped").inc()
    return removed


async def prune_aggregates(sessionmaker: async_sessionmaker[AsyncSession], *, now: datetime | None = None) -> int:
    """The aggregates job: each field's hours and days past its plan's terms; rows deleted."""
    now = now or datetime.now(UTC)
    async with sessionmaker() as session, session.begin():
        hours = await repository.delete_hours_past(session, now=now, default_months=settings.retention_hourly_months)
    async with sessionmaker() as session, session.begin():
        days = await repository.delete_days_past(session, now=now, default_years=settings.retention_daily_years)
    return hours + days


# Hourly: a day passes 24 times between two runs, and a missed run only delays a drop.
JOBS = [
    MaintenanceJob(PARTITIONS_JOB, 3600.0, keep_partitions),
    MaintenanceJob(AGGREGATES_JOB, 3600.0, prune_aggregates),
]


def _floor_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _floor_day(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


def _months_before(moment: datetime, months: int) -> datetime:
    """`moment - interval 'N months'` as PostgreSQL counts it: the same day of the month, or
    the month's last day when it has fewer."""
    moment = moment.astimezone(UTC)
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, last))

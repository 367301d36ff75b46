"""A field's plan limit: `limite_lecturas_dia` transmissions per field and local day.

A transmission is one master-node post at one instant (one `timestamp`), however many
secondary nodes and sensors it carries: the unit a plan's `veces_por_dia` schedules. The
count is reserved before publishing (an atomic upsert, so replicas cannot overrun it) and
given back for what JetStream dropped as a duplicate or never acknowledged. A field without
an active subscription has no limit.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ingest import events
from ingest.errors import DailyLimitReached
from ingest.models import DayCount, Subscription
from ingest.node.cache import notify_change
from shared.repository import apply_newer


@dataclass(frozen=True)
class Day:
    day: date
    resets_at: datetime  # the next local midnight, as an aware datetime

    @classmethod
    def current(cls, zone: ZoneInfo, now: datetime) -> "Day":
        local = now.astimezone(zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
        return cls(local.date(), midnight)


async def reserve(
    session: AsyncSession, *, parcela_id: int, limit: int | None, today: Day, count: int, now: datetime
) -> None:
    """Count `count` transmissions for today, or refuse them all (429) past the plan's `limit`."""
    if limit is None:
        return
    statement = insert(DayCount).values(parcela_id=parcela_id, day=today.day, count=count)
    counted = statement.on_conflict_do_update(
        index_elements=[DayCount.parcela_id, DayCount.day],
        set_={"count": DayCount.count + statement.excluded.count},
        where=DayCount.count + statement.excluded.count <= limit,
    ).returning(DayCount.count)
    if count > limit or (await session.execute(counted)).first() is None:
        wait = max(1, int((today.resets_at - now).total_seconds()))
        raise DailyLimitReached(
            f"Límite diario de lecturas del plan alcanzado ({limit} por día). "
            f"Se restablece el {today.resets_at.isoformat()}.",
            retry_after=wait,
            reset=int(today.resets_at.timestamp()),
        )


async def note_limit_reached(
    sessionmaker: async_sessionmaker[AsyncSession], *, tenant_id: int, parcela_id: int, limit: int, today: Day
) -> None:
    """In a transaction of its own (the refused post's rolls back): flag the day and publish
    `ingest.limit.reached` through the outbox, the first time only."""
    async with sessionmaker() as session, session.begin():
        # A row may not exist yet: a first post larger than the whole day's limit.
        flag = insert(DayCount).values(parcela_id=parcela_id, day=today.day, count=0, limit_reached_at=func.now())
        first = await session.scalar(
            flag.on_conflict_do_update(
                index_elements=[DayCount.parcela_id, DayCount.day],
                set_={"limit_reached_at": func.now()},
                where=DayCount.limit_reached_at.is_(None),
            ).returning(DayCount.parcela_id)
        )
        if first is not None:
            event = events.LimitReached(parcela_id=parcela_id, dia=today.day, limite=limit, reinicia=today.resets_at)
            await events.outbox.emit(session, event, tenant_id=tenant_id)


async def release(session: AsyncSession, *, parcela_id: int, limit: int | None, today: Day, count: int) -> None:
    """Give back transmissions that were not accepted after all."""
    if count and limit is not None:
        await session.execute(
            update(DayCount)
            .where(DayCount.parcela_id == parcela_id, DayCount.day == today.day)
            .values(count=func.greatest(DayCount.count - count, 0))
        )


async def apply_subscription(session: AsyncSession, *, event: events.SubscriptionChanged, version: datetime) -> None:
    """The subscription as agro published it at `version`, unless a newer event has been applied."""
    values = {"parcela_id": event.parcela_id, "estado": event.estado, "limite_lecturas_dia": event.limite_lecturas_dia}
    await apply_newer(session, Subscription, {"suscripcion_id": event.suscripcion_id}, values, version)
    await session.execute(notify_change())  # cached credentials carry the plan's limit

"""History, series and KPIs, read from brain's own tables.

History reads the hourly aggregates for `hour` and `day` buckets (a day is a local day of the
`tz` asked for, so it is 23 or 25 hours long across a DST change) and the readings themselves
for `minute` buckets, and for days in a zone whose offset is not whole hours in that range.

That is while the field's plan still keeps those levels for the whole window asked
(`brain.retention`): otherwise the answer comes from the finest level that does, `nivel` says
which ("crudo", "hora", "dia"), and its points are that level's (an hour, a UTC day) when the
bucket asked is finer. Nothing a level no longer keeps is shown, pruned or not yet.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, Row, Select, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brain.analytics.schemas import Bucket, HistoryPoint, HistoryRead, KpisRead, Scope, SeriesPoint, SeriesRead
from brain.config import settings
from brain.models import Daily, Field, Hourly, Reading, Task
from brain.retention import service as retention
from brain.retention.service import Horizons, Level
from shared.errors import InvalidRequest, NotFound, PermissionDenied
from shared.security import Principal

BUCKET_WIDTH = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
DEFAULT_SPAN = {"minute": timedelta(hours=6), "hour": timedelta(days=7), "day": timedelta(days=30)}


def visible_fields(principal: Principal) -> Select[Any]:
    """The fields the caller may see: agro's rule (own fields, or all with `espacio:ver`)."""
    query = select(Field.parcela_id).where(Field.tenant_id == principal.tenant_id, ~Field.deleted)
    if not principal.sees_whole_workspace:
        query = query.where(Field.usuario_id == principal.user_id)
    return query


async def check_visible(session: AsyncSession, principal: Principal, parcela_id: int) -> None:
    if await session.scalar(visible_fields(principal).where(Field.parcela_id == parcela_id)) is None:
        raise NotFound("Parcela no encontrada.")


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidRequest(f"Zona horaria desconocida: '{name}'.", fields={"tz": ["Use un nombre IANA."]}) from exc


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def window(start: datetime | None, end: datetime | None, default_span: timedelta) -> Window:
    end = _aware(end) if end else datetime.now(UTC)
    start = _aware(start) if start else end - default_span
    if start >= end:
        raise InvalidRequest("'from' debe ser anterior a 'to'.", fields={"from": ["Debe ser anterior a 'to'."]})
    if end - start > timedelta(days=settings.max_range_days):
        raise InvalidRequest(
            f"El rango no puede superar {settings.max_range_days} días.",
            fields={"from": [f"Como máximo {settings.max_range_days} días entre 'from' y 'to'."]},
        )
    return Window(start, end)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def history(
    session: AsyncSession,
    principal: Principal,
    parcela_id: int,
    *,
    parametro: str | None,
    start: datetime | None,
    end: datetime | None,
    bucket: Bucket,
    tz: str | None,
    now: datetime | None = None,
) -> HistoryRead:
    zone = zone_of(tz)
    span = window(start, end, DEFAULT_SPAN[bucket])
    buckets = (span.end - span.start) / BUCKET_WIDTH[bucket]
    if buckets > settings.max_buckets:
        raise InvalidRequest(
            f"Demasiados intervalos ({int(buckets)}); el máximo es {settings.max_buckets}. Acote el rango o use "
            "un intervalo mayor.",
            fields={"bucket": [f"Como máximo {settings.max_buckets} intervalos."]},
        )
    await check_visible(session, principal, parcela_id)
    kept = await retention.horizons(session, parcela_id, now=now or datetime.now(UTC))
    whole_hours = _whole_hour_offsets(zone, span)
    if bucket == "minute":
        since, levels = span.start, LEVELS
    elif bucket == "hour":
        since, levels = span.start, LEVELS[1:]
    else:
        since, levels = _local_midnight(span.start, zone), LEVELS[1:] if whole_hours else LEVELS
    nivel = retention.finest_level(kept, since, levels)
    if nivel == "crudo":
        unit = "minute" if bucket == "minute" else "day"
        rows = await _from_readings(session, parcela_id, parametro, span, unit, zone, kept)
    elif nivel == "hora" and bucket == "day":
        rows = await _days_from_hours(session, parcela_id, parametro, span, zone, kept)
    elif nivel == "hora":
        rows = await _hours(session, parcela_id, parametro, span, kept)
    else:
        rows = await _days(session, parcela_id, parametro, span, kept)
    series = [
        HistoryPoint(t=t.astimezone(zone), parametro=name, avg=avg, min=low, max=high)
        for t, name, avg, low, high in rows
    ]
    return HistoryRead(parcela_id=parcela_id, bucket=bucket, series=series, nivel=nivel)


# Finest first: what `retention.finest_level` chooses from.
LEVELS: tuple[Level, ...] = ("crudo", "hora", "dia")

# One bucket of one parameter: its start, the parameter, average, minimum and maximum.
Aggregate = Row[datetime, str, float, float, float]


async def _hours(
    session: AsyncSession, parcela_id: int, parametro: str | None, span: Window, kept: Horizons
) -> Sequence[Aggregate]:
    query = (
        select(Hourly.hour, Hourly.parametro, Hourly.total / Hourly.n, Hourly.lo, Hourly.hi)
        .where(
            Hourly.parcela_id == parcela_id,
            Hourly.hour >= func.date_trunc("hour", span.start),
            Hourly.hour >= kept.hora,
            Hourly.hour < span.end,
        )
        .order_by(Hourly.hour, Hourly.parametro)
    )
    if parametro:
        query = query.where(Hourly.parametro == parametro)
    return (await session.execute(query)).all()


async def _days_from_hours(
    session: AsyncSession, parcela_id: int, parametro: str | None, span: Window, zone: ZoneInfo, kept: Horizons
) -> Sequence[Aggregate]:
    """Local days from hours; in a zone whose offset is not whole hours (chosen only once the
    readings are gone), each hour counts in the local day it starts in."""
    local_day = func.date_trunc("day", func.timezone(zone.key, Hourly.hour))
    query = (
        select(
            func.timezone(zone.key, local_day).label("t"),
            Hourly.parametro,
            func.sum(Hourly.total) / func.sum(Hourly.n),
            func.min(Hourly.lo),
            func.max(Hourly.hi),
        )
        .where(
            Hourly.parcela_id == parcela_id,
            Hourly.hour >= _local_midnight(span.start, zone),
            Hourly.hour >= kept.hora,
            Hourly.hour < span.end,
        )
        .group_by(local_day, Hourly.parametro)
        .order_by(local_day, Hourly.parametro)
    )
    if parametro:
        query = query.where(Hourly.parametro == parametro)
    return (await session.execute(query)).all()


async def _days(
    session: AsyncSession, parcela_id: int, parametro: str | None, span: Window, kept: Horizons
) -> Sequence[Aggregate]:
    """UTC days from the daily aggregates (what is left once the hours are gone)."""
    first = datetime.combine(span.start.astimezone(UTC).date(), time(0), tzinfo=UTC)
    query = (
        select(Daily.day, Daily.parametro, Daily.total / Daily.n, Daily.lo, Daily.hi)
        .where(Daily.parcela_id == parcela_id, Daily.day >= max(first, kept.dia), Daily.day < span.end)
        .order_by(Daily.day, Daily.parametro)
    )
    if parametro:
        query = query.where(Daily.parametro == parametro)
    return (await session.execute(query)).all()


async def _from_readings(
    session: AsyncSession,
    parcela_id: int,
    parametro: str | None,
    span: Window,
    unit: str,
    zone: ZoneInfo,
    kept: Horizons,
) -> Sequence[Aggregate]:
    start = _local_midnight(span.start, zone) if unit == "day" else span.start
    local = func.date_trunc(unit, func.timezone(zone.key, Reading.t))
    query = (
        select(
            func.timezone(zone.key, local).label("t"),
            Reading.parametro,
            func.avg(Reading.valor),
            func.min(Reading.valor),
            func.max(Reading.valor),
        )
        .where(
            Reading.parcela_id == parcela_id,
            Reading.t >= max(start, kept.crudo),
            Reading.t < span.end,
        )
        .group_by(local, Reading.parametro)
        .order_by(local, Reading.parametro)
    )
    if parametro:
        query = query.where(Reading.parametro == parametro)
    return (await session.execute(query)).all()


def _local_midnight(moment: datetime, zone: ZoneInfo) -> datetime:
    return datetime.combine(moment.astimezone(zone).date(), time(0), tzinfo=zone)


def _whole_hour_offsets(zone: ZoneInfo, span: Window) -> bool:
    """Whether hour buckets add up to the zone's local days over the range (not so in +05:30)."""
    day = span.start.date() - timedelta(days=1)
    while day <= span.end.date() + timedelta(days=1):
        offset = datetime.combine(day, time(12), tzinfo=zone).utcoffset() or timedelta()
        if offset.total_seconds() % 3600:
            return False
        day += timedelta(days=30)
    return True


async def series(
    session: AsyncSession,
    principal: Principal,
    parcela_id: int,
    *,
    parametro: str,
    start: datetime | None,
    end: datetime | None,
    now: datetime | None = None,
) -> SeriesRead:
    """Each reading while the field's plan keeps them for the whole window; else each hour's or
    UTC day's average, from the finest level that does (`nivel`)."""
    span = window(start, end, timedelta(days=1))
    await check_visible(session, principal, parcela_id)
    kept = await retention.horizons(session, parcela_id, now=now or datetime.now(UTC))
    nivel = retention.finest_level(kept, span.start, LEVELS)
    query: Select[datetime, float]
    if nivel == "crudo":
        query = (
            select(Reading.t, Reading.valor)
            .where(
                Reading.parcela_id == parcela_id,
                Reading.parametro == parametro,
                Reading.t >= span.start,
                Reading.t < span.end,
            )
            .order_by(Reading.t, Reading.nodo_codigo)
        )
    elif nivel == "hora":
        query = (
            select(Hourly.hour, Hourly.total / Hourly.n)
            .where(
                Hourly.parcela_id == parcela_id,
                Hourly.parametro == parametro,
                Hourly.hour >= func.date_trunc("hour", span.start),
                Hourly.hour < span.end,
            )
            .order_by(Hourly.hour)
        )
    else:
        first = datetime.combine(span.start.astimezone(UTC).date(), time(0), tzinfo=UTC)
        query = (
            select(Daily.day, Daily.total / Daily.n)
            .where(
                Daily.parcela_id == parcela_id,
                Daily.parametro == parametro,
                Daily.day >= max(first, kept.dia),
                Daily.day < span.end,
            )
            .order_by(Daily.day)
        )
    cap = settings.max_series_points
    rows = (await session.execute(query.limit(cap + 1))).all()
    if len(rows) > cap:
        raise InvalidRequest(
            f"La serie tiene más de {cap} puntos; acote el rango ('from', 'to') o use /api/brain/history/.",
            fields={"from": [f"Como máximo {cap} puntos por serie."]},
        )
    points = [SeriesPoint(t=t, v=v) for t, v in rows]
    return SeriesRead(parcela_id=parcela_id, parametro=parametro, points=points, nivel=nivel)


async def kpis(session: AsyncSession, principal: Principal, *, scope: Scope, days: int) -> KpisRead:
    """Tasks created in the last `days` days on the caller's fields (every field with `global`)."""
    if scope == "global" and not principal.platform_admin:
        raise PermissionDenied("Solo un administrador de la plataforma puede ver los KPIs globales.")
    since = datetime.now(UTC) - timedelta(days=days)
    fields = None if scope == "global" else visible_fields(principal).scalar_subquery()

    def tasks(*conditions: ColumnElement[bool]) -> Select[Any]:
        query = select(func.count()).select_from(Task).where(Task.created_at >= since, *conditions)
        return query if fields is None else query.where(Task.parcela_id.in_(fields))

    ia = Task.origen == "ia"
    monitored = select(func.count(distinct(Hourly.parcela_id))).where(Hourly.hour >= since)
    if fields is not None:
        monitored = monitored.where(Hourly.parcela_id.in_(fields))
    return KpisRead(
        tareas_totales=await session.scalar(tasks()) or 0,
        tareas_ia_generadas=await session.scalar(tasks(ia)) or 0,
        tareas_ia_aceptadas=await session.scalar(tasks(ia, Task.decision == "aceptada")) or 0,
        tareas_ia_rechazadas=await session.scalar(tasks(ia, Task.decision == "rechazada")) or 0,
        parcelas_monitoreadas=await session.scalar(monitored) or 0,
    )

"""The queries of rules' evaluation, open suggestions and stale sensors."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from brain.alert.rulebook import Rulebook
from brain.models import Alert, AlertAck, Field, Rule, Stage, Suggestion


@dataclass(frozen=True, slots=True)
class Stale:
    """A sensor just flagged stale, and its plan's interval."""

    parcela_id: int
    nodo_codigo: str
    parametro: str
    tenant_id: int
    last_seen: datetime
    minutes: int


_BACK = text("""
    UPDATE sensors SET stale_at = NULL
    WHERE stale_at IS NOT NULL AND last_seen > stale_at AND parcela_id = ANY(CAST(:parcela_ids AS bigint[]))
    RETURNING parcela_id, nodo_codigo, parametro
""")

# `stale_at` keeps the last_seen it was flagged at: a later reading means the sensor is back.
_GONE_STALE = text("""
    UPDATE sensors s SET stale_at = s.last_seen
    FROM (
        SELECT parcela_id, min(frecuencia_minutos) AS minutes FROM subscriptions
        WHERE estado = 'activo' AND NOT deleted AND frecuencia_minutos > 0 GROUP BY parcela_id
    ) AS plan
    WHERE s.parcela_id = plan.parcela_id AND s.stale_at IS NULL
        AND s.last_seen < CAST(:now AS timestamptz)
            - make_interval(secs => plan.minutes * 60 * CAST(:intervals AS float8))
    RETURNING s.parcela_id, s.nodo_codigo, s.parametro, s.tenant_id, s.last_seen, plan.minutes
""")


async def load_rulebook(session: AsyncSession, parcela_ids: Iterable[int]) -> Rulebook:
    fields = {
        field.parcela_id: field
        for field in await session.scalars(select(Field).where(Field.parcela_id.in_(set(parcela_ids)), ~Field.deleted))
    }
    varieties = {field.variedad_id for field in fields.values() if field.variedad_id is not None}
    stages: dict[int, list[Stage]] = defaultdict(list)
    for stage in await session.scalars(
        select(Stage)
        .where(Stage.variedad_id.in_(varieties), ~Stage.deleted)
        .order_by(Stage.variedad_id, Stage.orden, Stage.etapa_id)
    ):
        stages[stage.variedad_id].append(stage)
    stage_ids = {stage.etapa_id for variety in stages.values() for stage in variety}
    stage_ids |= {field.etapa_fijada_id for field in fields.values() if field.etapa_fijada_id is not None}
    rules: dict[int, list[Rule]] = defaultdict(list)
    for rule in await session.scalars(
        select(Rule).where(Rule.etapa_id.in_(stage_ids), Rule.activo, ~Rule.deleted).order_by(Rule.regla_id)
    ):
        rules[rule.etapa_id].append(rule)
    return Rulebook(fields, stages, rules)


async def open_suggestion(
    session: AsyncSession, *, tenant_id: int, parcela_id: int, regla_id: int, descripcion: str
) -> int | None:
    """The new suggestion's id; None while the same rule's suggestion for this field is still open."""
    return await session.scalar(
        insert(Suggestion)
        .values(tenant_id=tenant_id, parcela_id=parcela_id, regla_id=regla_id, descripcion=descripcion)
        .on_conflict_do_nothing(index_elements=["parcela_id", "regla_id"], index_where=text("closed_at IS NULL"))
        .returning(Suggestion.id)
    )


async def close_suggestion(session: AsyncSession, *, parcela_id: int, regla_id: int, at: datetime) -> None:
    await session.execute(
        update(Suggestion)
        .where(Suggestion.parcela_id == parcela_id, Suggestion.regla_id == regla_id, Suggestion.closed_at.is_(None))
        .values(closed_at=at)
    )


async def close_field_suggestions(session: AsyncSession, *, parcela_id: int, at: datetime) -> None:
    await session.execute(
        update(Suggestion)
        .where(Suggestion.parcela_id == parcela_id, Suggestion.closed_at.is_(None))
        .values(closed_at=at)
    )


async def unflag_sensors_back(session: AsyncSession, parcela_ids: set[int]) -> list[tuple[int, str, str]]:
    """Clear the stale flag of these fields' sensors that reported since: (parcela_id, nodo_codigo, parametro)."""
    back = await session.execute(_BACK, {"parcela_ids": sorted(parcela_ids)})
    return [(parcela_id, nodo_codigo, parametro) for parcela_id, nodo_codigo, parametro in back]


async def clear_stale_alerts(
    session: AsyncSession, *, parcela_id: int, nodo_codigo: str, parametro: str, at: datetime
) -> list[tuple[int, int]]:
    """Clear a sensor's open `sensor.stale` alerts: (alert id, tenant_id) of each."""
    cleared = await session.execute(
        update(Alert)
        .where(
            Alert.parcela_id == parcela_id,
            Alert.nodo_codigo == nodo_codigo,
            Alert.parametro == parametro,
            Alert.tipo == "sensor.stale",
            Alert.cleared_at.is_(None),
        )
        .values(cleared_at=at)
        .returning(Alert.id, Alert.tenant_id)
    )
    return [(alert_id, tenant_id) for alert_id, tenant_id in cleared]


async def flag_stale_sensors(session: AsyncSession, *, now: datetime, intervals: float) -> list[Stale]:
    """Flag the sensors silent for more than `intervals` of their plan's frequency (each once)."""
    flagged = await session.execute(_GONE_STALE, {"now": now, "intervals": intervals})
    return [Stale(*row) for row in flagged]


async def alerts_of_field(
    session: AsyncSession, *, parcela_id: int, active_only: bool, limit: int
) -> tuple[Sequence[Alert], dict[int, list[AlertAck]]]:
    """The field's newest alerts (active ones only if asked), and each one's acknowledgements."""
    query = select(Alert).where(Alert.parcela_id == parcela_id).order_by(Alert.raised_at.desc(), Alert.id.desc())
    if active_only:
        query = query.where(Alert.cleared_at.is_(None))
    alerts = (await session.scalars(query.limit(limit))).all()
    trail: dict[int, list[AlertAck]] = defaultdict(list)
    if alerts:
        acks = select(AlertAck).where(AlertAck.alert_id.in_([a.id for a in alerts])).order_by(AlertAck.at, AlertAck.id)
        for ack in await session.scalars(acks):
            trail[ack.alert_id].append(ack)
    return alerts, trail


async def acks_of(session: AsyncSession, alert_id: int) -> list[AlertAck]:
    query = select(AlertAck).where(AlertAck.alert_id == alert_id).order_by(AlertAck.at, AlertAck.id)
    return list(await session.scalars(query))

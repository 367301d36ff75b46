"""brain's read model of agro: fields, growth stages, rules and plan subscriptions.

Which rules apply to a reading is worked out from this model on the reading's day
(`shared.growth.current_stage`), never from a stage someone stored earlier: a field enters its
next stage on the right day with no event at all.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from brain import events
from brain.models import Field, Rule, Sensor, Stage, Subscription, Suggestion
from shared.events import Envelope
from shared.growth import current_stage
from shared.repository import apply_deletion, apply_newer


class Rulebook:
    """The active rules of some fields' current stages, loaded once per batch of readings."""

    def __init__(self, fields: dict[int, Field], stages: dict[int, list[Stage]], rules: dict[int, list[Rule]]) -> None:
        self.fields = fields
        self._stages = stages  # by variety, in orden
        self._rules = rules  # by stage

    @classmethod
    async def load(cls, session: AsyncSession, parcela_ids: Iterable[int]) -> "Rulebook":
        fields = {
            field.parcela_id: field
            for field in await session.scalars(
                select(Field).where(Field.parcela_id.in_(set(parcela_ids)), ~Field.deleted)
            )
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
        return cls(fields, stages, rules)

    def stage_of(self, parcela_id: int, day: date) -> int | None:
        field = self.fields.get(parcela_id)
        if field is None:
            return None
        variety = self._stages.get(field.variedad_id, []) if field.variedad_id is not None else []
        return current_stage(field.etapa_fijada_id, field.fecha_siembra, variety, day)

    def rules_for(self, parcela_id: int, parametro: str, day: date) -> list[Rule]:
        stage = self.stage_of(parcela_id, day)
        if stage is None:
            return []
        return [rule for rule in self._rules.get(stage, []) if rule.parametro == parametro]


# -- event handlers -----------------------------------------------------------------------------
async def on_field_upserted(session: AsyncSession, envelope: Envelope, event: events.FieldUpserted) -> None:
    values = {
        "tenant_id": envelope.tenant_id,
        "usuario_id": event.usuario_id,
        "variedad_id": event.variedad_id,
        "fecha_siembra": event.fecha_siembra,
        "etapa_fijada_id": event.etapa_fijada_id,
    }
    await apply_newer(session, Field, {"parcela_id": event.parcela_id}, values, envelope.occurred_at)


async def on_field_deleted(session: AsyncSession, envelope: Envelope, event: events.FieldDeleted) -> None:
    placeholders = {"tenant_id": envelope.tenant_id or 0, "usuario_id": 0}
    await apply_deletion(session, Field, {"parcela_id": event.parcela_id}, envelope.occurred_at, **placeholders)
    # Its tasks went with it: nothing of it is open any more.
    await session.execute(
        update(Suggestion)
        .where(Suggestion.parcela_id == event.parcela_id, Suggestion.closed_at.is_(None))
        .values(closed_at=envelope.occurred_at)
    )
    await session.execute(delete(Sensor).where(Sensor.parcela_id == event.parcela_id))


async def on_stage_upserted(session: AsyncSession, envelope: Envelope, event: events.StageUpserted) -> None:
    values = {
        "variedad_id": event.variedad_id,
        "nombre": event.nombre,
        "orden": event.orden,
        "duracion_dias": event.duracion_dias,
    }
    await apply_newer(session, Stage, {"etapa_id": event.etapa_id}, values, envelope.occurred_at)


async def on_stage_deleted(session: AsyncSession, envelope: Envelope, event: events.StageDeleted) -> None:
    placeholders = {"variedad_id": 0, "nombre": "", "orden": 0, "duracion_dias": 0}
    await apply_deletion(session, Stage, {"etapa_id": event.etapa_id}, envelope.occurred_at, **placeholders)


async def on_rule_upserted(session: AsyncSession, envelope: Envelope, event: events.RuleUpserted) -> None:
    values = event.model_dump(exclude={"regla_id"})
    await apply_newer(session, Rule, {"regla_id": event.regla_id}, values, envelope.occurred_at)


async def on_rule_deleted(session: AsyncSession, envelope: Envelope, event: events.RuleDeleted) -> None:
    placeholders = {
        "etapa_id": 0,
        "parametro": "",
        "minimo": 0.0,
        "maximo": 0.0,
        "accion_si_menor": "",
        "accion_si_mayor": "",
        "activo": False,
    }
    await apply_deletion(session, Rule, {"regla_id": event.regla_id}, envelope.occurred_at, **placeholders)


async def on_subscription_changed(session: AsyncSession, envelope: Envelope, event: events.SubscriptionChanged) -> None:
    values = {"parcela_id": event.parcela_id, "estado": event.estado, "frecuencia_minutos": event.frecuencia_minutos}
    await apply_newer(session, Subscription, {"suscripcion_id": event.suscripcion_id}, values, envelope.occurred_at)

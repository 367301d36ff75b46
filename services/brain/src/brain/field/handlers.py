"""Inbound events: agro's fields, stages, rules and subscriptions become brain's read model."""

from sqlalchemy.ext.asyncio import AsyncSession

from brain.events import (
    FieldDeleted,
    FieldUpserted,
    RuleDeleted,
    RuleUpserted,
    StageDeleted,
    StageUpserted,
    SubscriptionChanged,
)
from brain.field import service
from shared.events import Envelope


async def on_field_upserted(session: AsyncSession, envelope: Envelope, event: FieldUpserted) -> None:
    await service.keep_field(
        session,
        parcela_id=event.parcela_id,
        tenant_id=envelope.tenant_id,
        usuario_id=event.usuario_id,
        variedad_id=event.variedad_id,
        fecha_siembra=event.fecha_siembra,
        etapa_fijada_id=event.etapa_fijada_id,
        at=envelope.occurred_at,
    )


async def on_field_deleted(session: AsyncSession, envelope: Envelope, event: FieldDeleted) -> None:
    await service.forget_field(
        session, parcela_id=event.parcela_id, tenant_id=envelope.tenant_id, at=envelope.occurred_at
    )


async def on_stage_upserted(session: AsyncSession, envelope: Envelope, event: StageUpserted) -> None:
    await service.keep_stage(
        session,
        etapa_id=event.etapa_id,
        variedad_id=event.variedad_id,
        nombre=event.nombre,
        orden=event.orden,
        duracion_dias=event.duracion_dias,
        inicio_dias=event.inicio_dias,
        at=envelope.occurred_at,
    )


async def on_stage_deleted(session: AsyncSession, envelope: Envelope, event: StageDeleted) -> None:
    await service.forget_stage(session, etapa_id=event.etapa_id, at=envelope.occurred_at)


async def on_rule_upserted(session: AsyncSession, envelope: Envelope, event: RuleUpserted) -> None:
    await service.keep_rule(
        session,
        regla_id=event.regla_id,
        etapa_id=event.etapa_id,
        parametro=event.parametro,
        minimo=event.minimo,
        maximo=event.maximo,
        accion_si_menor=event.accion_si_menor,
        accion_si_mayor=event.accion_si_mayor,
        activo=event.activo,
        at=envelope.occurred_at,
    )


async def on_rule_deleted(session: AsyncSession, envelope: Envelope, event: RuleDeleted) -> None:
    await service.forget_rule(session, regla_id=event.regla_id, at=envelope.occurred_at)


async def on_subscription_changed(session: AsyncSession, envelope: Envelope, event: SubscriptionChanged) -> None:
    await service.keep_subscription(
        session,
        suscripcion_id=event.suscripcion_id,
        parcela_id=event.parcela_id,
        estado=event.estado,
        frecuencia_minutos=event.frecuencia_minutos,
        retencion_lecturas_dias=event.retencion_lecturas_dias,
        retencion_horaria_meses=event.retencion_horaria_meses,
        retencion_diaria_anios=event.retencion_diaria_anios,
        at=envelope.occurred_at,
    )

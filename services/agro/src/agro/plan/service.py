"""Plans (a global catalogue) and fields' subscriptions to them.

A field has at most one `activo` subscription: a partial unique index says so, and
subscribing to a new plan suspends the current one in the same transaction.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from agro import events
from agro.models import Field, Plan, Subscription
from agro.plan.schemas import PlanFields, PlanPatch, SubscriptionPatch
from shared.errors import InvalidRequest
from shared.pagination import PageParams
from shared.repository import assign, fetch_page, get_or_404, save_unique
from shared.validation import changes


async def plan_page(session: AsyncSession, params: PageParams) -> tuple[int, Sequence[Plan]]:
    return await fetch_page(session, select(Plan).order_by(Plan.id), params)


async def get_plan(session: AsyncSession, plan_id: int) -> Plan:
    return await get_or_404(session, Plan, plan_id)


async def create_plan(session: AsyncSession, body: PlanFields) -> Plan:
    values = changes(body)
    plan = Plan(**values)
    await _save_plan(session, plan)
    return plan


async def update_plan(session: AsyncSession, plan_id: int, body: PlanFields | PlanPatch) -> Plan:
    """Its subscriptions are re-published: ingest's daily limits and brain's retention follow the plan's."""
    values = changes(body)
    plan = await get_plan(session, plan_id)
    assign(plan, values)
    await _save_plan(session, plan)
    for subscription in await session.scalars(select(Subscription).where(Subscription.plan_id == plan.id)):
        await _publish(session, subscription, plan)
    return plan


async def _save_plan(session: AsyncSession, plan: Plan) -> None:
    await save_unique(session, plan, field="nombre", message="Ya existe un plan con ese nombre.")
    await session.refresh(plan)


async def delete_plan(session: AsyncSession, plan_id: int) -> None:
    plan = await get_plan(session, plan_id)
    if await session.scalar(select(exists().where(Subscription.plan_id == plan.id))):
        raise InvalidRequest("Hay parcelas suscritas a este plan.")
    await session.delete(plan)


async def active_plan_names(session: AsyncSession, field_ids: list[int]) -> dict[int, str]:
    rows = await session.execute(
        select(Subscription.parcela_id, Plan.nombre)
        .join(Plan, Plan.id == Subscription.plan_id)
        .where(Subscription.parcela_id.in_(field_ids), Subscription.estado == "activo")
    )
    return dict(rows.all())


async def subscriptions_of(session: AsyncSession, field: Field) -> Sequence[Subscription]:
    query = select(Subscription).where(Subscription.parcela_id == field.id).order_by(Subscription.id)
    return (await session.scalars(query)).all()


async def subscribe(session: AsyncSession, field: Field, plan_id: int) -> Subscription:
    """Make `plan_id` the field's active plan; the previous active one is suspended."""
    plan = await session.get(Plan, plan_id)
    if plan is None:
        raise InvalidRequest("Datos inválidos.", fields={"plan_id": ["Plan no encontrado."]})
    current = await session.scalar(
        select(Subscription)
        .where(Subscription.parcela_id == field.id, Subscription.estado == "activo")
        .with_for_update()
    )
    if current is not None:
        current.estado, current.fecha_fin = "suspendido", datetime.now(UTC)
        await session.flush()
        previous_plan = await session.get(Plan, current.plan_id)
        assert previous_plan is not None  # a foreign key
        await _publish(session, current, previous_plan)
    subscription = Subscription(tenant_id=field.tenant_id, parcela_id=field.id, plan_id=plan.id, estado="activo")
    await _save_subscription(session, subscription)
    await _publish(session, subscription, plan)
    return subscription


async def update_subscription(session: AsyncSession, subscription: Subscription, body: SubscriptionPatch) -> None:
    values = changes(body)
    plan = await session.get(Plan, values.get("plan_id", subscription.plan_id))
    if plan is None:
        raise InvalidRequest("Datos inválidos.", fields={"plan_id": ["Plan no encontrado."]})
    if values.get("estado") in ("suspendido", "vencido") and subscription.estado == "activo":
        subscription.fecha_fin = datetime.now(UTC)
    if values.get("estado") == "activo" and subscription.estado != "activo":
        subscription.fecha_fin = None
    assign(subscription, values)
    await _save_subscription(session, subscription)
    await _publish(session, subscription, plan)


async def delete_subscription(session: AsyncSession, subscription: Subscription) -> None:
    await session.delete(subscription)
    await session.flush()
    await publish_deleted_subscription(session, subscription)


async def publish_deleted_subscription(session: AsyncSession, subscription: Subscription) -> None:
    event = events.SubscriptionChanged(
        suscripcion_id=subscription.id, parcela_id=subscription.parcela_id, estado="eliminado"
    )
    await events.outbox.emit(session, event, tenant_id=subscription.tenant_id)


async def _save_subscription(session: AsyncSession, subscription: Subscription) -> None:
    await save_unique(
        session,
        subscription,
        field="estado",
        message="Solo un plan activo por parcela.",
        detail="La parcela ya tiene un plan activo.",
    )
    await session.refresh(subscription)


async def _publish(session: AsyncSession, subscription: Subscription, plan: Plan) -> None:
    """Ingest enforces the daily reading limit of each field's active plan; brain its retention."""
    event = events.SubscriptionChanged(
        suscripcion_id=subscription.id,
        parcela_id=subscription.parcela_id,
        plan_id=plan.id,
        estado=subscription.estado,
        limite_lecturas_dia=plan.limite_lecturas_dia,
        frecuencia_minutos=plan.frecuencia_minutos,
        retencion_lecturas_dias=plan.retencion_lecturas_dias,
        retencion_horaria_meses=plan.retencion_horaria_meses,
        retencion_diaria_anios=plan.retencion_diaria_anios,
    )
    await events.outbox.emit(session, event, tenant_id=subscription.tenant_id)

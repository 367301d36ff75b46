"""Fields (parcelas): a farmer works on their own, staff on their whole workspace."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agro import events
from agro.field.schemas import FieldCreate, FieldPatch, FieldRead, FieldUpdate
from agro.field.stages import current_stage
from agro.models import Field, MasterNode, Stage, Subscription, Variety
from agro.plan import service as plans
from shared.errors import InvalidRequest, NotFound
from shared.pagination import PageParams
from shared.repository import assign, fetch_page, get_or_404
from shared.security import Principal
from shared.validation import changes

ORDERINGS = {"nombre", "ubicacion", "tamano_hectareas", "created_at", "updated_at", "id"}


def visible(principal: Principal) -> Select[Field]:
    query = select(Field).where(Field.tenant_id == principal.tenant_id)
    if not principal.sees_whole_workspace:
        query = query.where(Field.usuario_id == principal.user_id)
    return query


def listing(principal: Principal, *, ubicacion: str | None, search: str | None, ordering: str | None) -> Select[Field]:
    query = visible(principal)
    if ubicacion:
        query = query.where(Field.ubicacion.ilike(f"%{ubicacion}%"))
    if search:
        query = query.where(or_(Field.nombre.ilike(f"%{search}%"), Field.ubicacion.ilike(f"%{search}%")))
    return query.order_by(*_ordering(ordering))


def _ordering(ordering: str | None) -> list[Any]:
    if not ordering:
        return [Field.id]
    columns = []
    for part in ordering.split(","):
        name = part.strip().lstrip("-")
        if name not in ORDERINGS:
            raise InvalidRequest("Datos inválidos.", fields={"ordering": [f"Campo de orden no válido: {name}."]})
        column = getattr(Field, name)
        columns.append(column.desc() if part.strip().startswith("-") else column.asc())
    return [*columns, Field.id]


async def page(
    session: AsyncSession,
    principal: Principal,
    params: PageParams,
    *,
    ubicacion: str | None,
    search: str | None,
    ordering: str | None,
) -> tuple[int, list[FieldRead]]:
    count, rows = await fetch_page(
        session, listing(principal, ubicacion=ubicacion, search=search, ordering=ordering), params
    )
    return count, await describe(session, rows)


async def own_subscription(session: AsyncSession, principal: Principal, subscription_id: int) -> Subscription:
    """A subscription of the caller's workspace whose field the caller may see, else NotFound."""
    subscription = await get_or_404(session, Subscription, subscription_id, tenant_id=principal.tenant_id)
    await get(session, principal, subscription.parcela_id)
    return subscription


async def get(session: AsyncSession, principal: Principal, field_id: int) -> Field:
    """Another farmer's or another workspace's field is a 404."""
    field = await session.scalar(visible(principal).where(Field.id == field_id))
    if field is None:
        raise NotFound("Parcela no encontrada.")
    return field


async def create(session: AsyncSession, principal: Principal, body: FieldCreate) -> tuple[Field, str | None]:
    values = changes(body)
    plan_id = values.pop("plan_id", None)
    await _check_references(session, values)
    field = Field(tenant_id=principal.tenant_id, usuario_id=principal.user_id, **values)
    session.add(field)
    await session.flush()
    plan_name = None
    if plan_id is not None:
        subscription = await plans.subscribe(session, field, plan_id)
        plan_name = (await plans.active_plan_names(session, [subscription.parcela_id])).get(field.id)
    await publish_field(session, field)
    return field, plan_name


async def update(session: AsyncSession, principal: Principal, field_id: int, body: FieldUpdate | FieldPatch) -> Field:
    values = changes(body)
    field = await get(session, principal, field_id)
    await _check_references(session, {**{"variedad_id": field.variedad_id, "etapa_id": field.etapa_id}, **values})
    assign(field, values)
    field.updated_at = datetime.now(UTC)
    await session.flush()
    await publish_field(session, field)
    return field


async def delete(session: AsyncSession, principal: Principal, field_id: int) -> None:
    """The field goes with its nodes and subscriptions (database cascade): each is published."""
    field = await get(session, principal, field_id)
    for node_id in await session.scalars(select(MasterNode.id).where(MasterNode.parcela_id == field.id)):
        await events.outbox.emit(session, events.NodeDeleted(nodo_id=node_id), tenant_id=field.tenant_id)
    for subscription in await session.scalars(select(Subscription).where(Subscription.parcela_id == field.id)):
        await plans.publish_deleted_subscription(session, subscription)
    await session.delete(field)
    await events.outbox.emit(session, events.FieldDeleted(parcela_id=field_id), tenant_id=field.tenant_id)


async def _check_references(session: AsyncSession, values: dict[str, Any]) -> None:
    variety_id, stage_id = values.get("variedad_id"), values.get("etapa_id")
    if variety_id is not None and await session.get(Variety, variety_id) is None:
        raise InvalidRequest("Datos inválidos.", fields={"variedad_id": ["Variedad no encontrada."]})
    if stage_id is not None:
        stage = await session.get(Stage, stage_id)
        if stage is None or stage.variedad_id != variety_id:
            raise InvalidRequest("Datos inválidos.", fields={"etapa_id": ["La etapa no es de la variedad."]})


async def _stages_by_variety(session: AsyncSession, variety_ids: set[int]) -> dict[int, list[Stage]]:
    found: dict[int, list[Stage]] = {variety_id: [] for variety_id in variety_ids}
    if variety_ids:
        rows = await session.scalars(
            select(Stage).where(Stage.variedad_id.in_(variety_ids)).order_by(Stage.orden, Stage.id)
        )
        for stage in rows:
            found[stage.variedad_id].append(stage)
    return found


async def describe(session: AsyncSession, fields: Sequence[Field]) -> list[FieldRead]:
    """FieldRead for each, with the current stage and active plan looked up in two queries."""
    stages = await _stages_by_variety(session, {f.variedad_id for f in fields if f.variedad_id is not None})
    plan_names = await plans.active_plan_names(session, [f.id for f in fields])
    today = datetime.now(UTC).date()
    return [
        FieldRead(
            id=f.id,
            nombre=f.nombre,
            ubicacion=f.ubicacion,
            tamano_hectareas=f.tamano_hectareas,
            coordenadas=f.coordenadas,
            variedad_id=f.variedad_id,
            fecha_siembra=f.fecha_siembra,
            etapa_actual=current_stage(f, stages.get(f.variedad_id or -1, []), today),
            plan_activo=plan_names.get(f.id),
            usuario=f.usuario_id,
            created_at=f.created_at,
            updated_at=f.updated_at,
        )
        for f in fields
    ]


async def publish_field(session: AsyncSession, field: Field) -> None:
    """What brain needs to look up the field's current stage itself, on any day (with the stages' `inicio_dias`)."""
    event = events.FieldUpserted(
        parcela_id=field.id,
        usuario_id=field.usuario_id,
        variedad_id=field.variedad_id,
        fecha_siembra=field.fecha_siembra,
        etapa_fijada_id=field.etapa_id,
    )
    await events.outbox.emit(session, event, tenant_id=field.tenant_id)

"""004's `/api/parcelas/` and the fields' plan subscriptions."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from agro.field import service
from agro.field.schemas import FieldCreate, FieldPatch, FieldRead, FieldUpdate, NewFieldRead
from agro.plan import service as plans
from agro.plan.schemas import NewSubscriptionRead, SubscriptionCreate, SubscriptionPatch, SubscriptionRead
from shared.pagination import Page, Pagination, build_page
from shared.security import Principal, RequirePermission
from shared.sessions import SessionDep
from shared.validation import Id, Text

router = APIRouter(tags=["parcelas"])

Viewer = Annotated[Principal, Depends(RequirePermission("parcelas", "ver"))]
Creator = Annotated[Principal, Depends(RequirePermission("parcelas", "crear"))]
Updater = Annotated[Principal, Depends(RequirePermission("parcelas", "actualizar"))]
Deleter = Annotated[Principal, Depends(RequirePermission("parcelas", "eliminar"))]


@router.get("/api/parcelas/", response_model=Page[FieldRead])
async def list_fields(
    principal: Viewer,
    session: SessionDep,
    request: Request,
    params: Pagination,
    ubicacion: Annotated[Text | None, Query(description="contiene (sin distinguir mayúsculas)")] = None,
    search: Annotated[Text | None, Query(description="en nombre o ubicación")] = None,
    ordering: Annotated[Text | None, Query(description="nombre, -created_at, tamano_hectareas, ...")] = None,
) -> Page[FieldRead]:
    """The caller's fields (a farmer) or the workspace's (administrador, tecnico)."""
    count, described = await service.page(
        session, principal, params, ubicacion=ubicacion, search=search, ordering=ordering
    )
    return build_page(request, params, count=count, results=described, item=FieldRead)


@router.post("/api/parcelas/", response_model=NewFieldRead, status_code=201)
async def create_field(body: FieldCreate, principal: Creator, session: SessionDep) -> NewFieldRead:
    """Create a field; with `plan_id` it is subscribed to that plan at once."""
    field, plan_name = await service.create(session, principal, body)
    return NewFieldRead(parcela_id=field.id, plan=plan_name)


@router.get("/api/parcelas/{field_id}/", response_model=FieldRead)
async def get_field(field_id: Id, principal: Viewer, session: SessionDep) -> FieldRead:
    return (await service.describe(session, [await service.get(session, principal, field_id)]))[0]


@router.put("/api/parcelas/{field_id}/", response_model=FieldRead)
async def replace_field(field_id: Id, body: FieldUpdate, principal: Updater, session: SessionDep) -> FieldRead:
    field = await service.update(session, principal, field_id, body)
    return (await service.describe(session, [field]))[0]


@router.patch("/api/parcelas/{field_id}/", response_model=FieldRead)
async def patch_field(field_id: Id, body: FieldPatch, principal: Updater, session: SessionDep) -> FieldRead:
    field = await service.update(session, principal, field_id, body)
    return (await service.describe(session, [field]))[0]


@router.delete("/api/parcelas/{field_id}/", status_code=204, response_class=Response)
async def delete_field(field_id: Id, principal: Deleter, session: SessionDep) -> Response:
    """Deletes the field with its subscriptions, nodes and tasks."""
    await service.delete(session, principal, field_id)
    return Response(status_code=204)


# -- subscriptions ---------------------------------------------------------------------------
@router.get("/api/parcelas/{field_id}/planes/", response_model=list[SubscriptionRead])
async def list_subscriptions(field_id: Id, principal: Viewer, session: SessionDep) -> list[SubscriptionRead]:
    field = await service.get(session, principal, field_id)
    return [SubscriptionRead.model_validate(row) for row in await plans.subscriptions_of(session, field)]


@router.post("/api/parcelas/{field_id}/planes/crear/", response_model=NewSubscriptionRead, status_code=201)
async def change_plan(
    field_id: Id, body: SubscriptionCreate, principal: Updater, session: SessionDep
) -> NewSubscriptionRead:
    """Subscribe the field to a plan; its current active plan is suspended."""
    field = await service.get(session, principal, field_id)
    return NewSubscriptionRead.model_validate(await plans.subscribe(session, field, body.plan_id))


@router.get("/api/parcelas/planes/{subscription_id}/", response_model=SubscriptionRead)
async def get_subscription(subscription_id: Id, principal: Viewer, session: SessionDep) -> SubscriptionRead:
    return SubscriptionRead.model_validate(await service.own_subscription(session, principal, subscription_id))


@router.put("/api/parcelas/planes/{subscription_id}/", response_model=SubscriptionRead)
@router.patch("/api/parcelas/planes/{subscription_id}/", response_model=SubscriptionRead)
async def update_subscription(
    subscription_id: Id, body: SubscriptionPatch, principal: Updater, session: SessionDep
) -> SubscriptionRead:
    """Change a subscription's plan or state; a second `activo` for the field is refused."""
    subscription = await service.own_subscription(session, principal, subscription_id)
    await plans.update_subscription(session, subscription, body)
    return SubscriptionRead.model_validate(subscription)


@router.delete("/api/parcelas/planes/{subscription_id}/", status_code=204, response_class=Response)
async def delete_subscription(subscription_id: Id, principal: Updater, session: SessionDep) -> Response:
    subscription = await service.own_subscription(session, principal, subscription_id)
    await plans.delete_subscription(session, subscription)
    return Response(status_code=204)

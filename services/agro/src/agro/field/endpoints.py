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


@router.get("/api/parcelas/", response_model=Page[FieldRead], summary="Listar parcelas")
async def list_fields(
    principal: Viewer,
    session: SessionDep,
    request: Request,
    params: Pagination,
    ubicacion: Annotated[Text | None, Query(description="contiene (sin distinguir mayúsculas)")] = None,
    search: Annotated[Text | None, Query(description="en nombre o ubicación")] = None,
    ordering: Annotated[Text | None, Query(description="nombre, -created_at, tamano_hectareas, ...")] = None,
) -> Page[FieldRead]:
    """Las parcelas propias (un agricultor) o las de todo el espacio de trabajo (administrador,
    técnico), paginadas, con filtros por ubicación y texto y un orden a elegir. Requiere el
    permiso `parcelas:ver`."""
    count, described = await service.page(
        session, principal, params, ubicacion=ubicacion, search=search, ordering=ordering
    )
    return build_page(request, params, count=count, results=described, item=FieldRead)


@router.post("/api/parcelas/", response_model=NewFieldRead, status_code=201, summary="Crear parcela")
async def create_field(body: FieldCreate, principal: Creator, session: SessionDep) -> NewFieldRead:
    """Crea una parcela del usuario; con `plan_id` queda suscrita a ese plan desde ya (400 si el
    plan no existe). Requiere el permiso `parcelas:crear`."""
    field, plan_name = await service.create(session, principal, body)
    return NewFieldRead(parcela_id=field.id, plan=plan_name)


@router.get("/api/parcelas/{id}/", response_model=FieldRead, summary="Ver parcela")
async def get_field(id: Id, principal: Viewer, session: SessionDep) -> FieldRead:
    """Una parcela, con su plan activo y su etapa actual; 404 si no existe o es de otro
    usuario o espacio de trabajo."""
    return (await service.describe(session, [await service.get(session, principal, id)]))[0]


@router.put("/api/parcelas/{id}/", response_model=FieldRead, summary="Reemplazar parcela")
async def replace_field(id: Id, body: FieldUpdate, principal: Updater, session: SessionDep) -> FieldRead:
    """Reescribe la parcela entera (un campo omitido vuelve a su valor por defecto). Requiere el
    permiso `parcelas:actualizar`."""
    field = await service.update(session, principal, id, body)
    return (await service.describe(session, [field]))[0]


@router.patch("/api/parcelas/{id}/", response_model=FieldRead, summary="Modificar parcela")
async def patch_field(id: Id, body: FieldPatch, principal: Updater, session: SessionDep) -> FieldRead:
    """Cambia solo los campos enviados. Requiere el permiso `parcelas:actualizar`."""
    field = await service.update(session, principal, id, body)
    return (await service.describe(session, [field]))[0]


@router.delete("/api/parcelas/{id}/", status_code=204, response_class=Response, summary="Eliminar parcela")
async def delete_field(id: Id, principal: Deleter, session: SessionDep) -> Response:
    """Borra la parcela con sus suscripciones, nodos y tareas. Requiere el permiso
    `parcelas:eliminar`."""
    await service.delete(session, principal, id)
    return Response(status_code=204)


# -- subscriptions ---------------------------------------------------------------------------
@router.get(
    "/api/parcelas/{parcela_id}/planes/",
    response_model=list[SubscriptionRead],
    summary="Listar suscripciones de una parcela",
)
async def list_subscriptions(parcela_id: Id, principal: Viewer, session: SessionDep) -> list[SubscriptionRead]:
    """Las suscripciones de la parcela a planes, la activa y las anteriores (sin paginar)."""
    field = await service.get(session, principal, parcela_id)
    return [SubscriptionRead.model_validate(row) for row in await plans.subscriptions_of(session, field)]


@router.post(
    "/api/parcelas/{parcela_id}/planes/crear/",
    response_model=NewSubscriptionRead,
    status_code=201,
    summary="Cambiar el plan de una parcela",
)
async def change_plan(
    parcela_id: Id, body: SubscriptionCreate, principal: Updater, session: SessionDep
) -> NewSubscriptionRead:
    """Suscribe la parcela a un plan; su plan activo, si lo había, queda suspendido. Requiere el
    permiso `parcelas:actualizar`."""
    field = await service.get(session, principal, parcela_id)
    return NewSubscriptionRead.model_validate(await plans.subscribe(session, field, body.plan_id))


@router.get("/api/parcelas/planes/{id}/", response_model=SubscriptionRead, summary="Ver suscripción")
async def get_subscription(id: Id, principal: Viewer, session: SessionDep) -> SubscriptionRead:
    """Una suscripción de una parcela visible para el usuario; 404 si no."""
    return SubscriptionRead.model_validate(await service.own_subscription(session, principal, id))


@router.put(
    "/api/parcelas/planes/{id}/",
    response_model=SubscriptionRead,
    summary="Reemplazar suscripción",
    operation_id="replace_subscription",
)
@router.patch("/api/parcelas/planes/{id}/", response_model=SubscriptionRead, summary="Modificar suscripción")
async def update_subscription(
    id: Id, body: SubscriptionPatch, principal: Updater, session: SessionDep
) -> SubscriptionRead:
    """Cambia el plan o el estado (`activo`, `suspendido`, `vencido`) de una suscripción; un
    segundo plan `activo` para la misma parcela se rechaza (400). Requiere el permiso
    `parcelas:actualizar`."""
    subscription = await service.own_subscription(session, principal, id)
    await plans.update_subscription(session, subscription, body)
    return SubscriptionRead.model_validate(subscription)


@router.delete("/api/parcelas/planes/{id}/", status_code=204, response_class=Response, summary="Eliminar suscripción")
async def delete_subscription(id: Id, principal: Updater, session: SessionDep) -> Response:
    """Borra la suscripción. Requiere el permiso `parcelas:actualizar`."""
    subscription = await service.own_subscription(session, principal, id)
    await plans.delete_subscription(session, subscription)
    return Response(status_code=204)

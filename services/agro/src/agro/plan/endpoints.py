"""004's `/api/planes/`: a public catalogue, written by platform admins."""

from fastapi import APIRouter, Request, Response

from agro.plan import service
from agro.plan.schemas import PlanFields, PlanPatch, PlanRead
from shared.pagination import Page, Pagination, build_page
from shared.security import PlatformAdmin
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/planes", tags=["planes"])


@router.get("/", response_model=Page[PlanRead], summary="Listar planes")
async def list_plans(session: SessionDep, request: Request, params: Pagination) -> Page[PlanRead]:
    """Los planes que se ofrecen, paginados: frecuencia de lectura, límite diario y precio.
    Público: no hace falta token."""
    count, rows = await service.plan_page(session, params)
    return build_page(request, params, count=count, results=rows, item=PlanRead)


@router.get("/{id}/", response_model=PlanRead, summary="Ver plan")
async def get_plan(id: Id, session: SessionDep) -> PlanRead:
    """Un plan; 404 si no existe. Público: no hace falta token."""
    return PlanRead.model_validate(await service.get_plan(session, id))


@router.post("/", response_model=PlanRead, status_code=201, summary="Crear plan")
async def create_plan(body: PlanFields, _: PlatformAdmin, session: SessionDep) -> PlanRead:
    """Añade un plan al catálogo. Solo administradores de la plataforma."""
    return PlanRead.model_validate(await service.create_plan(session, body))


@router.put("/{id}/", response_model=PlanRead, summary="Reemplazar plan")
async def replace_plan(id: Id, body: PlanFields, _: PlatformAdmin, session: SessionDep) -> PlanRead:
    """Reescribe el plan entero. Solo administradores de la plataforma."""
    return PlanRead.model_validate(await service.update_plan(session, id, body))


@router.patch("/{id}/", response_model=PlanRead, summary="Modificar plan")
async def patch_plan(id: Id, body: PlanPatch, _: PlatformAdmin, session: SessionDep) -> PlanRead:
    """Cambia solo los campos enviados. Solo administradores de la plataforma."""
    return PlanRead.model_validate(await service.update_plan(session, id, body))


@router.delete("/{id}/", status_code=204, response_class=Response, summary="Eliminar plan")
async def delete_plan(id: Id, _: PlatformAdmin, session: SessionDep) -> Response:
    """Borra el plan. Se rechaza (400) mientras haya parcelas suscritas a él. Solo
    administradores de la plataforma."""
    await service.delete_plan(session, id)
    return Response(status_code=204)

"""004's `/api/planes/`: a public catalogue, written by platform admins."""

from fastapi import APIRouter, Request, Response

from agro.plan import service
from agro.plan.schemas import PlanFields, PlanPatch, PlanRead
from shared.pagination import Page, Pagination, build_page
from shared.security import PlatformAdmin
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/planes", tags=["planes"])


@router.get("/", response_model=Page[PlanRead])
async def list_plans(session: SessionDep, request: Request, params: Pagination) -> Page[PlanRead]:
    """The plans on offer (public)."""
    count, rows = await service.plan_page(session, params)
    return build_page(request, params, count=count, results=rows, item=PlanRead)


@router.get("/{plan_id}/", response_model=PlanRead)
async def get_plan(plan_id: Id, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(await service.get_plan(session, plan_id))


@router.post("/", response_model=PlanRead, status_code=201)
async def create_plan(body: PlanFields, _: PlatformAdmin, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(await service.create_plan(session, body))


@router.put("/{plan_id}/", response_model=PlanRead)
async def replace_plan(plan_id: Id, body: PlanFields, _: PlatformAdmin, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(await service.update_plan(session, plan_id, body))


@router.patch("/{plan_id}/", response_model=PlanRead)
async def patch_plan(plan_id: Id, body: PlanPatch, _: PlatformAdmin, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(await service.update_plan(session, plan_id, body))


@router.delete("/{plan_id}/", status_code=204, response_class=Response)
async def delete_plan(plan_id: Id, _: PlatformAdmin, session: SessionDep) -> Response:
    """Refused (400) while fields are subscribed to the plan."""
    await service.delete_plan(session, plan_id)
    return Response(status_code=204)

"""000's `/api/v1/tenants/`: workspaces."""

from fastapi import APIRouter, Request, Response

from auth.tenant import service
from auth.tenant.schemas import TenantCreate, TenantRead, TenantUpdate
from shared.pagination import Page, Pagination, build_page
from shared.security import CurrentPrincipal, PlatformAdmin, Principal
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/v1/tenants", tags=["tenants"])


def _visible_to(principal: Principal) -> int | None:
    return None if principal.platform_admin else principal.tenant_id


@router.get("/", response_model=Page[TenantRead])
async def list_tenants(
    principal: CurrentPrincipal, session: SessionDep, request: Request, params: Pagination
) -> Page[TenantRead]:
    """Every workspace for a platform admin; the caller's own for anyone else."""
    count, rows = await service.page(session, params, only=_visible_to(principal))
    return build_page(request, params, count=count, results=rows, item=TenantRead)


@router.get("/{tenant_id}/", response_model=TenantRead)
async def get_tenant(tenant_id: Id, principal: CurrentPrincipal, session: SessionDep) -> TenantRead:
    visible_to = _visible_to(principal)
    return TenantRead.model_validate(await service.get(session, tenant_id, visible_to=visible_to))


@router.post("/", response_model=TenantRead, status_code=201)
async def create_tenant(body: TenantCreate, _: PlatformAdmin, session: SessionDep) -> TenantRead:
    return TenantRead.model_validate(await service.create(session, body.name))


@router.put("/{tenant_id}/", response_model=TenantRead)
@router.patch("/{tenant_id}/", response_model=TenantRead)
async def update_tenant(tenant_id: Id, body: TenantUpdate, _: PlatformAdmin, session: SessionDep) -> TenantRead:
    tenant = await service.update(session, tenant_id, name=body.name, is_active=body.is_active)
    return TenantRead.model_validate(tenant)


@router.delete("/{tenant_id}/", status_code=204, response_class=Response)
async def deactivate_tenant(tenant_id: Id, _: PlatformAdmin, session: SessionDep) -> Response:
    """Deactivates: its users can no longer log in; its data stays for audit and restore."""
    await service.update(session, tenant_id, name=None, is_active=False)
    return Response(status_code=204)

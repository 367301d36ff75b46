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


@router.get("/", response_model=Page[TenantRead], summary="Listar espacios de trabajo")
async def list_tenants(
    principal: CurrentPrincipal, session: SessionDep, request: Request, params: Pagination
) -> Page[TenantRead]:
    """Todos los espacios de trabajo (tenants) para el administrador de la plataforma; para
    cualquier otro, solo el suyo. Paginado."""
    count, rows = await service.page(session, params, only=_visible_to(principal))
    return build_page(request, params, count=count, results=rows, item=TenantRead)


@router.get("/{tenant_id}/", response_model=TenantRead, summary="Ver un espacio de trabajo")
async def get_tenant(tenant_id: Id, principal: CurrentPrincipal, session: SessionDep) -> TenantRead:
    """Un espacio de trabajo: el propio, o cualquiera para el administrador de la plataforma
    (el de otro: 404)."""
    visible_to = _visible_to(principal)
    return TenantRead.model_validate(await service.get(session, tenant_id, visible_to=visible_to))


@router.post("/", response_model=TenantRead, status_code=201, summary="Crear un espacio de trabajo")
async def create_tenant(body: TenantCreate, _: PlatformAdmin, session: SessionDep) -> TenantRead:
    """Crea un espacio de trabajo vacío (solo el administrador de la plataforma; los demás, 403)."""
    return TenantRead.model_validate(await service.create(session, body.name))


@router.put(
    "/{tenant_id}/",
    response_model=TenantRead,
    summary="Reemplazar un espacio de trabajo",
    operation_id="replace_tenant",
)
@router.patch("/{tenant_id}/", response_model=TenantRead, summary="Actualizar un espacio de trabajo")
async def update_tenant(tenant_id: Id, body: TenantUpdate, _: PlatformAdmin, session: SessionDep) -> TenantRead:
    """Cambia el nombre o reactiva/desactiva un espacio de trabajo (solo el administrador de la
    plataforma). PUT y PATCH cambian solo los campos enviados."""
    tenant = await service.update(session, tenant_id, name=body.name, is_active=body.is_active)
    return TenantRead.model_validate(tenant)


@router.delete("/{tenant_id}/", status_code=204, response_class=Response, summary="Desactivar un espacio de trabajo")
async def deactivate_tenant(tenant_id: Id, _: PlatformAdmin, session: SessionDep) -> Response:
    """Desactiva el espacio (solo el administrador de la plataforma): sus usuarios ya no inician
    sesión; sus datos se conservan para auditoría y para reactivarlo con PATCH."""
    await service.update(session, tenant_id, name=None, is_active=False)
    return Response(status_code=204)

"""004's RBAC: `/api/rbac/...`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from auth.rbac import service
from auth.rbac.schemas import ModuleRead, PermissionCreate, PermissionRead, RoleRead
from shared.pagination import Page, Pagination, build_page
from shared.security import PlatformAdmin, Principal, RequirePermission
from shared.sessions import SessionDep
from shared.validation import Id, Int64

router = APIRouter(prefix="/api/rbac", tags=["rbac"])

CanView = Annotated[Principal, Depends(RequirePermission("administracion", "ver"))]
CanUpdate = Annotated[Principal, Depends(RequirePermission("administracion", "actualizar"))]


@router.get("/modulos/", response_model=Page[ModuleRead], summary="Listar módulos")
async def list_modules(_: CanView, session: SessionDep, request: Request, params: Pagination) -> Page[ModuleRead]:
    """Los módulos de permisos (parcelas, tareas, usuarios, ...), paginados (administracion/ver)."""
    count, rows = await service.module_page(session, params)
    return build_page(request, params, count=count, results=rows, item=ModuleRead)


@router.get("/modulos/{id}/", response_model=ModuleRead, summary="Ver un módulo")
async def get_module(id: Id, _: CanView, session: SessionDep) -> ModuleRead:
    """Un módulo de permisos (administracion/ver)."""
    return ModuleRead.model_validate(await service.get_module(session, id))


@router.get("/roles/", response_model=Page[RoleRead], summary="Listar roles")
async def list_roles(_: CanView, session: SessionDep, request: Request, params: Pagination) -> Page[RoleRead]:
    """Los roles (administrador, tecnico, agricultor, agente, ...), compartidos por todos los
    espacios, paginados (administracion/ver)."""
    count, rows = await service.role_page(session, params)
    return build_page(request, params, count=count, results=rows, item=RoleRead)


@router.get("/roles/{id}/", response_model=RoleRead, summary="Ver un rol")
async def get_role(id: Id, _: CanView, session: SessionDep) -> RoleRead:
    """Un rol (administracion/ver)."""
    return RoleRead.model_validate(await service.get_role(session, id))


@router.get("/permissions/", response_model=Page[PermissionRead], summary="Listar permisos")
async def list_permissions(
    _: CanView,
    session: SessionDep,
    request: Request,
    params: Pagination,
    rol: Annotated[Int64 | None, Query(description="id del rol")] = None,
    modulo: Annotated[Int64 | None, Query(description="id del módulo")] = None,
) -> Page[PermissionRead]:
    """Los permisos (rol x módulo x operación), paginados y filtrables por `?rol=&modulo=`
    (administracion/ver)."""
    count, described = await service.permission_page(session, params, role_id=rol, module_id=modulo)
    return build_page(request, params, count=count, results=described, item=PermissionRead)


@router.post("/permissions/", response_model=PermissionRead, status_code=201, summary="Conceder un permiso")
async def create_permission(
    body: PermissionCreate, _: CanUpdate, __: PlatformAdmin, session: SessionDep
) -> PermissionRead:
    """Concede a un rol una operación de un módulo. Los roles son de toda la plataforma: solo su
    administrador (administracion/actualizar y administrador de plataforma); los demás, 403."""
    permission = await service.grant(
        session, role_id=body.rol_id, module_id=body.modulo_id, operation_id=body.operacion_id
    )
    return (await service.describe(session, [permission]))[0]


@router.get("/permissions/{id}/", response_model=PermissionRead, summary="Ver un permiso")
async def get_permission(id: Id, _: CanView, session: SessionDep) -> PermissionRead:
    """Un permiso con su rol, módulo y operación (administracion/ver)."""
    return await service.get_permission(session, id)


@router.delete("/permissions/{id}/", status_code=204, response_class=Response, summary="Retirar un permiso")
async def delete_permission(id: Id, _: CanUpdate, __: PlatformAdmin, session: SessionDep) -> Response:
    """Retira un permiso a su rol, en todos los espacios (solo el administrador de plataforma)."""
    await service.revoke(session, id)
    return Response(status_code=204)

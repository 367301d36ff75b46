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


@router.get("/modulos/", response_model=Page[ModuleRead])
async def list_modules(_: CanView, session: SessionDep, request: Request, params: Pagination) -> Page[ModuleRead]:
    """Modules (administracion/ver)."""
    count, rows = await service.module_page(session, params)
    return build_page(request, params, count=count, results=rows, item=ModuleRead)


@router.get("/modulos/{module_id}/", response_model=ModuleRead)
async def get_module(module_id: Id, _: CanView, session: SessionDep) -> ModuleRead:
    return ModuleRead.model_validate(await service.get_module(session, module_id))


@router.get("/roles/", response_model=Page[RoleRead])
async def list_roles(_: CanView, session: SessionDep, request: Request, params: Pagination) -> Page[RoleRead]:
    """Roles (administracion/ver)."""
    count, rows = await service.role_page(session, params)
    return build_page(request, params, count=count, results=rows, item=RoleRead)


@router.get("/roles/{role_id}/", response_model=RoleRead)
async def get_role(role_id: Id, _: CanView, session: SessionDep) -> RoleRead:
    return RoleRead.model_validate(await service.get_role(session, role_id))


@router.get("/permissions/", response_model=Page[PermissionRead])
async def list_permissions(
    _: CanView,
    session: SessionDep,
    request: Request,
    params: Pagination,
    rol: Annotated[Int64 | None, Query(description="id del rol")] = None,
    modulo: Annotated[Int64 | None, Query(description="id del módulo")] = None,
) -> Page[PermissionRead]:
    """Role x module x operation grants, filtered by `?rol=&modulo=` (administracion/ver)."""
    count, described = await service.permission_page(session, params, role_id=rol, module_id=modulo)
    return build_page(request, params, count=count, results=described, item=PermissionRead)


@router.post("/permissions/", response_model=PermissionRead, status_code=201)
async def create_permission(
    body: PermissionCreate, _: CanUpdate, __: PlatformAdmin, session: SessionDep
) -> PermissionRead:
    """Grant an operation to a role (administracion/actualizar; roles are shared by all tenants)."""
    permission = await service.grant(
        session, role_id=body.rol_id, module_id=body.modulo_id, operation_id=body.operacion_id
    )
    return (await service.describe(session, [permission]))[0]


@router.get("/permissions/{permission_id}/", response_model=PermissionRead)
async def get_permission(permission_id: Id, _: CanView, session: SessionDep) -> PermissionRead:
    return await service.get_permission(session, permission_id)


@router.delete("/permissions/{permission_id}/", status_code=204, response_class=Response)
async def delete_permission(permission_id: Id, _: CanUpdate, __: PlatformAdmin, session: SessionDep) -> Response:
    await service.revoke(session, permission_id)
    return Response(status_code=204)

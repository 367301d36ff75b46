"""004's RBAC: `/api/rbac/...`."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from auth.rbac import repository, service
from auth.rbac.schemas import ModuloRead, PermisoCreate, PermisoRead, RoleChange, RoleChanged, RolRead
from shared.errors import NotFound
from shared.pagination import Page, Pagination, build_page, fetch_page
from shared.security import PlatformAdmin, Principal, RequirePermission
from shared.sessions import SessionDep
from shared.validation import Id, Int64

router = APIRouter(prefix="/api/rbac", tags=["rbac"])

CanView = Annotated[Principal, Depends(RequirePermission("administracion", "ver"))]
CanUpdate = Annotated[Principal, Depends(RequirePermission("administracion", "actualizar"))]
CanUpdateUsers = Annotated[Principal, Depends(RequirePermission("usuarios", "actualizar"))]


@router.get("/modulos/", response_model=Page[ModuloRead])
async def list_modules(_: CanView, session: SessionDep, request: Request, params: Pagination) -> dict[str, Any]:
    """Modules (administracion/ver)."""
    count, rows = await fetch_page(session, repository.modules(), params)
    return build_page(request, params, count=count, results=[ModuloRead.model_validate(r) for r in rows])


@router.get("/modulos/{module_id}/", response_model=ModuloRead)
async def get_module(module_id: Id, _: CanView, session: SessionDep) -> ModuloRead:
    module = await repository.get_module(session, module_id)
    if module is None:
        raise NotFound()
    return ModuloRead.model_validate(module)


@router.get("/roles/", response_model=Page[RolRead])
async def list_roles(_: CanView, session: SessionDep, request: Request, params: Pagination) -> dict[str, Any]:
    """Roles (administracion/ver)."""
    count, rows = await fetch_page(session, repository.roles(), params)
    return build_page(request, params, count=count, results=[RolRead.model_validate(r) for r in rows])


@router.get("/roles/{role_id}/", response_model=RolRead)
async def get_role(role_id: Id, _: CanView, session: SessionDep) -> RolRead:
    role = await repository.get_role(session, role_id)
    if role is None:
        raise NotFound()
    return RolRead.model_validate(role)


@router.get("/permissions/", response_model=Page[PermisoRead])
async def list_permissions(
    _: CanView,
    session: SessionDep,
    request: Request,
    params: Pagination,
    rol: Annotated[Int64 | None, Query(description="id del rol")] = None,
    modulo: Annotated[Int64 | None, Query(description="id del módulo")] = None,
) -> dict[str, Any]:
    """Role x module x operation grants, filtered by `?rol=&modulo=` (administracion/ver)."""
    query = repository.permissions(role_id=rol, module_id=modulo)
    count, rows = await fetch_page(session, query, params)
    return build_page(request, params, count=count, results=await service.describe(session, rows))


@router.post("/permissions/", response_model=PermisoRead, status_code=201)
async def create_permission(body: PermisoCreate, _: CanUpdate, __: PlatformAdmin, session: SessionDep) -> PermisoRead:
    """Grant an operation to a role (administracion/actualizar; roles are shared by all tenants)."""
    permission = await service.grant(
        session, role_id=body.rol_id, module_id=body.modulo_id, operation_id=body.operacion_id
    )
    return (await service.describe(session, [permission]))[0]


@router.get("/permissions/{permission_id}/", response_model=PermisoRead)
async def get_permission(permission_id: Id, _: CanView, session: SessionDep) -> PermisoRead:
    permission = await repository.get_permission(session, permission_id)
    if permission is None:
        raise NotFound()
    return (await service.describe(session, [permission]))[0]


@router.delete("/permissions/{permission_id}/", status_code=204, response_class=Response)
async def delete_permission(permission_id: Id, _: CanUpdate, __: PlatformAdmin, session: SessionDep) -> Response:
    await service.revoke(session, permission_id)
    return Response(status_code=204)


@router.patch("/users/{user_id}/role/", response_model=RoleChanged)
async def change_user_role(
    user_id: Id, body: RoleChange, principal: CanUpdateUsers, session: SessionDep
) -> RoleChanged:
    """Change the role of a user of the caller's tenant (usuarios/actualizar)."""
    await service.change_role(session, principal, user_id=user_id, role_id=body.rol_id)
    return RoleChanged(user_id=user_id, rol_id=body.rol_id)

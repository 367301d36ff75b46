"""`/api/v1/members/`: the people of the caller's workspace and their roles; and 004's way to
change one's role, `/api/rbac/users/{id}/role/`."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from auth.access import PersonWithPermission
from auth.errors import NotOnYourself, NotWithApiKey, RoleNotHeld
from auth.member import service
from auth.member.schemas import MemberRead, MemberUpdate, UserRoleRead, UserRoleUpdate
from auth.revoking import refuse_user
from shared.errors import documented
from shared.pagination import Page, Pagination, build_page
from shared.security import Principal
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/v1/members", tags=["members"])
# 004's RBAC routes (`auth.rbac.endpoints`) but for this one, a member's role change.
rbac_users = APIRouter(prefix="/api/rbac", tags=["rbac"])

CanView = Annotated[Principal, Depends(PersonWithPermission("usuarios", "ver"))]
CanUpdate = Annotated[Principal, Depends(PersonWithPermission("usuarios", "actualizar"))]
CanRemove = Annotated[Principal, Depends(PersonWithPermission("usuarios", "eliminar"))]


@router.get("/", response_model=Page[MemberRead], summary="Listar miembros", responses=documented(NotWithApiKey))
async def list_members(
    principal: CanView, session: SessionDep, request: Request, params: Pagination
) -> Page[MemberRead]:
    """Las personas del espacio de quien llama y sus roles, paginadas (usuarios/ver; una persona,
    no una clave de API)."""
    count, members = await service.page(session, principal.tenant_id, params)
    return build_page(request, params, count=count, results=members, item=MemberRead)


@router.patch(
    "/{user_id}/",
    response_model=MemberRead,
    summary="Cambiar el rol de un miembro",
    responses=documented(NotOnYourself, RoleNotHeld, NotWithApiKey),
)
async def change_member_role(
    user_id: Id, body: MemberUpdate, principal: CanUpdate, session: SessionDep, request: Request, response: Response
) -> MemberRead:
    """Da otro rol a un miembro (usuarios/actualizar). Nadie da un rol con más permisos que los
    suyos (403) ni cambia el propio (400). Todos los tokens emitidos antes al miembro se rechazan al
    instante; su próximo inicio de sesión o renovación trae el rol nuevo."""
    member, revoked = await service.change_role(session, principal, user_id=user_id, role=body.role)
    refuse_user(request, response, revoked)
    return member


@router.delete(
    "/{user_id}/",
    status_code=204,
    response_class=Response,
    summary="Quitar un miembro",
    responses=documented(NotOnYourself, NotWithApiKey),
)
async def remove_member(user_id: Id, principal: CanRemove, session: SessionDep, request: Request) -> Response:
    """Quita a un miembro del espacio (usuarios/eliminar): no vuelve a iniciar sesión y sus tokens,
    sesiones y claves de API dejan de funcionar al instante. Sus datos se conservan. A uno mismo: 400."""
    response = Response(status_code=204)
    refuse_user(request, response, await service.remove(session, principal, user_id))
    return response


@rbac_users.patch(
    "/users/{user_id}/role/",
    response_model=UserRoleRead,
    summary="Cambiar el rol de un usuario",
    responses=documented(NotOnYourself, RoleNotHeld, NotWithApiKey),
)
async def change_user_role(
    user_id: Id,
    body: UserRoleUpdate,
    principal: CanUpdate,
    session: SessionDep,
    request: Request,
    response: Response,
) -> UserRoleRead:
    """Cambia el rol (`rol_id`) de un miembro del espacio de quien llama (004; usuarios/actualizar),
    con las mismas reglas que `PATCH /api/v1/members/{user_id}/`: nadie da un rol con más permisos
    que los suyos ni cambia el del administrador de la plataforma. Los tokens emitidos antes al
    usuario se rechazan al instante; su próximo inicio de sesión trae el rol nuevo."""
    revoked = await service.change_role_by_id(session, principal, user_id=user_id, role_id=body.rol_id)
    refuse_user(request, response, revoked)
    return UserRoleRead(user_id=user_id, rol_id=body.rol_id)

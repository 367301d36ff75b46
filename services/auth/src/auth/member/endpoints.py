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


@router.get("/", response_model=Page[MemberRead], responses=documented(NotWithApiKey))
async def list_members(
    principal: CanView, session: SessionDep, request: Request, params: Pagination
) -> Page[MemberRead]:
    """The workspace's members and their roles (usuarios/ver)."""
    count, members = await service.page(session, principal.tenant_id, params)
    return build_page(request, params, count=count, results=members, item=MemberRead)


@router.patch("/{user_id}/", response_model=MemberRead, responses=documented(NotOnYourself, RoleNotHeld, NotWithApiKey))
async def change_member_role(
    user_id: Id, body: MemberUpdate, principal: CanUpdate, session: SessionDep, request: Request, response: Response
) -> MemberRead:
    """Give a member another role (usuarios/actualizar). Every token they were issued before is
    refused everywhere at once; their next login or refresh carries the new role."""
    member, revoked = await service.change_role(session, principal, user_id=user_id, role=body.role)
    refuse_user(request, response, revoked)
    return member


@router.delete(
    "/{user_id}/", status_code=204, response_class=Response, responses=documented(NotOnYourself, NotWithApiKey)
)
async def remove_member(user_id: Id, principal: CanRemove, session: SessionDep, request: Request) -> Response:
    """Remove a member (usuarios/eliminar): they cannot log in again, and their tokens, sessions and
    API keys stop working everywhere at once. Their data stays."""
    response = Response(status_code=204)
    refuse_user(request, response, await service.remove(session, principal, user_id))
    return response


@rbac_users.patch(
    "/users/{user_id}/role/",
    response_model=UserRoleRead,
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
    """Change the role of a member of the caller's workspace (usuarios/actualizar), with the same
    checks as `PATCH /api/v1/members/{id}/`: nobody hands out a role granting more than they
    hold, nor changes the platform admin's. Every token the user was issued before is refused
    everywhere at once; their next login carries the new role."""
    revoked = await service.change_role_by_id(session, principal, user_id=user_id, role_id=body.rol_id)
    refuse_user(request, response, revoked)
    return UserRoleRead(user_id=user_id, rol_id=body.rol_id)

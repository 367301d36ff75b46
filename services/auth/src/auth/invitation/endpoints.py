"""`/api/v1/invitations/`: inviting people to the caller's workspace, and accepting (public)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from auth.access import PersonWithPermission
from auth.errors import (
    AccountExists,
    AlreadyMember,
    EmailInOtherWorkspace,
    InvitationUnusable,
    NotWithApiKey,
    RoleNotHeld,
)
from auth.invitation import service
from auth.invitation.schemas import (
    InvitationAcceptanceCreate,
    InvitationAcceptanceRead,
    InvitationCreate,
    InvitationRead,
    NewInvitationRead,
)
from auth.session.endpoints import session_fields
from auth.session.schemas import AgroUserRead
from shared.errors import documented
from shared.pagination import Page, Pagination, build_page
from shared.security import Principal
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/v1/invitations", tags=["invitations"])

CanInvite = Annotated[Principal, Depends(PersonWithPermission("usuarios", "crear"))]
CanView = Annotated[Principal, Depends(PersonWithPermission("usuarios", "ver"))]


@router.post(
    "/",
    response_model=NewInvitationRead,
    status_code=201,
    responses=documented(EmailInOtherWorkspace, AlreadyMember, RoleNotHeld, NotWithApiKey),
)
async def invite(body: InvitationCreate, principal: CanInvite, session: SessionDep) -> NewInvitationRead:
    """Invite a person by email with a role (usuarios/crear). The answer carries the accept token
    once; `auth.invitation.created` carries it too, for the workspace's systems to mail it.
    A new invitation to the same email withdraws the pending one."""
    invitation, token = await service.invite(session, principal, body)
    return NewInvitationRead(**service.read(invitation).model_dump(), accept_token=token)


@router.get("/", response_model=Page[InvitationRead], responses=documented(NotWithApiKey))
async def list_invitations(
    principal: CanView, session: SessionDep, request: Request, params: Pagination
) -> Page[InvitationRead]:
    """The workspace's invitations, newest first, with their status (usuarios/ver)."""
    count, invitations = await service.page(session, principal.tenant_id, params)
    return build_page(request, params, count=count, results=invitations, item=InvitationRead)


@router.delete(
    "/{invitation_id}/",
    status_code=204,
    response_class=Response,
    responses=documented(InvitationUnusable, NotWithApiKey),
)
async def revoke_invitation(invitation_id: Id, principal: CanInvite, session: SessionDep) -> Response:
    """Withdraw a pending invitation (usuarios/crear): its token no longer works."""
    await service.revoke(session, principal, invitation_id)
    return Response(status_code=204)


@router.post(
    "/accept/",
    response_model=InvitationAcceptanceRead,
    status_code=201,
    responses=documented(InvitationUnusable, AccountExists),
)
async def accept_invitation(body: InvitationAcceptanceCreate, session: SessionDep) -> InvitationAcceptanceRead:
    """Accept an invitation (public: the token is the credential). Sets the password, makes the
    person a member of the workspace with the invited role, and answers like a login."""
    signed_in = await service.accept(session, body)
    user = signed_in.user
    return InvitationAcceptanceRead(
        token=signed_in.access.token,
        access_token=signed_in.access.token,
        user=AgroUserRead(user_id=user.id, username=user.username, email=user.email),
        role=user.role,
        **session_fields(signed_in),
    )

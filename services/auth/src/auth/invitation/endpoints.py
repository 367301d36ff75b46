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
    InvitationPreviewCreate,
    InvitationPreviewRead,
    InvitationRead,
    NewInvitationRead,
)
from auth.session.endpoints import session_fields
from auth.session.schemas import AgroUserRead, WorkspaceRead
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
    summary="Invitar a una persona",
    responses=documented(EmailInOtherWorkspace, AlreadyMember, RoleNotHeld, NotWithApiKey),
)
async def create_invitation(body: InvitationCreate, principal: CanInvite, session: SessionDep) -> NewInvitationRead:
    """Invita a una persona por email con un rol (usuarios/crear; una persona, no una clave de API).
    La respuesta trae el `accept_token` una sola vez (el evento `auth.invitation.created` también,
    para que los sistemas del espacio lo envíen por correo). Una invitación nueva al mismo email
    retira la pendiente. Un email que ya es miembro o de otro espacio: 400; un rol con más permisos
    que los de quien invita: 403."""
    invitation, token = await service.invite(session, principal, body)
    return NewInvitationRead(**service.read(invitation).model_dump(), accept_token=token)


@router.get(
    "/", response_model=Page[InvitationRead], summary="Listar invitaciones", responses=documented(NotWithApiKey)
)
async def list_invitations(
    principal: CanView, session: SessionDep, request: Request, params: Pagination
) -> Page[InvitationRead]:
    """Las invitaciones del espacio, las más nuevas primero, con su estado; nunca su token
    (usuarios/ver)."""
    count, invitations = await service.page(session, principal.tenant_id, params)
    return build_page(request, params, count=count, results=invitations, item=InvitationRead)


@router.delete(
    "/{invitation_id}/",
    status_code=204,
    response_class=Response,
    summary="Retirar una invitación",
    responses=documented(InvitationUnusable, NotWithApiKey),
)
async def revoke_invitation(invitation_id: Id, principal: CanInvite, session: SessionDep) -> Response:
    """Retira una invitación pendiente (usuarios/crear): su token deja de servir. Una ya aceptada,
    retirada o vencida: 400."""
    await service.revoke(session, principal, invitation_id)
    return Response(status_code=204)


@router.post(
    "/preview/",
    response_model=InvitationPreviewRead,
    summary="Ver una invitación por su token",
    responses=documented(InvitationUnusable),
)
async def preview_invitation(body: InvitationPreviewCreate, session: SessionDep) -> InvitationPreviewRead:
    """Lo que ofrece una invitación pendiente (público: el token es la credencial): el email, el rol
    y el espacio, para la página donde la persona la acepta. No la acepta. Un token usado, retirado
    o vencido: 400, con el mismo mensaje que daría aceptarla."""
    invitation, tenant = await service.preview(session, body.token)
    return InvitationPreviewRead(
        email=invitation.email,
        role=invitation.role,
        expires_at=invitation.expires_at,
        workspace=WorkspaceRead(id=tenant.id, name=tenant.name),
    )


@router.post(
    "/accept/",
    response_model=InvitationAcceptanceRead,
    status_code=201,
    summary="Aceptar una invitación",
    responses=documented(InvitationUnusable, AccountExists),
)
async def accept_invitation(body: InvitationAcceptanceCreate, session: SessionDep) -> InvitationAcceptanceRead:
    """Acepta una invitación (público: el token es la credencial). Crea la cuenta con el `username`
    y la contraseña dados, como miembro del espacio con el rol invitado, y responde como un inicio
    de sesión. Un token usado, retirado o vencido, o un `username` ya usado: 400."""
    signed_in = await service.accept(session, body)
    user = signed_in.user
    return InvitationAcceptanceRead(
        token=signed_in.access.token,
        access_token=signed_in.access.token,
        user=AgroUserRead(user_id=user.id, username=user.username, email=user.email),
        role=user.role,
        **session_fields(signed_in),
    )

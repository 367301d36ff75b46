"""Every seed's login and logout, over one identity; refresh tokens for every login."""

from typing import Annotated, TypedDict

from fastapi import APIRouter, Form, Request, Response

from auth.access import Person
from auth.errors import InvalidCredentials, InvalidRefreshToken, NotWithApiKey, RefreshTokenReused, TooManyAttempts
from auth.profile import service as profiles
from auth.profile.schemas import ProfileRead
from auth.revoking import refuse_caller, refuse_session
from auth.session import service
from auth.session.schemas import (
    AgroLoginRead,
    AgroTokenRead,
    AgroUserRead,
    DeskLoginRead,
    DeskUserRead,
    ExpiringTokenRead,
    LoginCreate,
    LogoutRead,
    MeRead,
    RefreshCreate,
    RefreshRead,
    TokenRead,
    WorkspaceRead,
)
from auth.session.service import SignedIn
from shared.clients import client_address
from shared.errors import documented
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep
from shared.validation import Text

router = APIRouter(tags=["auth"])

LOGIN_REFUSALS = documented(InvalidCredentials, TooManyAttempts)


class SessionFieldValues(TypedDict):
    refresh_token: str
    expires_in: int
    refresh_expires_in: int
    workspace: WorkspaceRead


def session_fields(signed_in: SignedIn) -> SessionFieldValues:
    """The fields every login answer adds to its seed's: refresh token, lifetimes, workspace."""
    return {
        "refresh_token": signed_in.refresh_token,
        "expires_in": signed_in.access.expires_in,
        "refresh_expires_in": signed_in.refresh_expires_in,
        "workspace": WorkspaceRead.model_validate(signed_in.tenant),
    }


@router.post("/token", response_model=TokenRead, responses=LOGIN_REFUSALS)
async def oauth2_token(
    session: SessionDep,
    request: Request,
    username: Annotated[Text, Form(description="El email (o el nombre de usuario)")],
    password: Annotated[Text, Form()],
) -> TokenRead:
    """OAuth2 password flow (001): form fields `username` (the email) and `password`."""
    signed_in = await service.login(session, username, password, address=client_address(request))
    return TokenRead(access_token=signed_in.access.token, **session_fields(signed_in))


@router.post("/api/auth/login", response_model=ExpiringTokenRead, responses=LOGIN_REFUSALS)
async def agent_login(body: LoginCreate, session: SessionDep, request: Request) -> ExpiringTokenRead:
    """JSON login (002)."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    return ExpiringTokenRead(access_token=signed_in.access.token, **session_fields(signed_in))


@router.post("/api/auth/login/", response_model=DeskLoginRead, responses=LOGIN_REFUSALS)
async def desk_login(body: LoginCreate, session: SessionDep, request: Request) -> DeskLoginRead:
    """Support-desk login (003)."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    user = signed_in.user
    return DeskLoginRead(
        token=signed_in.access.token,
        user=DeskUserRead(
            id=user.id, username=user.username, email=user.email, first_name=user.first_name, last_name=user.last_name
        ),
        agent=await service.desk_agent(session, user.id),
        **session_fields(signed_in),
    )


@router.post("/api/auth/logout/", response_model=LogoutRead, responses=documented(NotWithApiKey))
async def desk_logout(principal: Person, session: SessionDep, request: Request, response: Response) -> LogoutRead:
    """Revoke the token in use and end its login session (003)."""
    await service.logout(session, principal)
    refuse_caller(request, response, principal)
    return LogoutRead()


@router.post("/auth/login/", response_model=AgroLoginRead, responses=LOGIN_REFUSALS)
async def agro_login(body: LoginCreate, session: SessionDep, request: Request) -> AgroLoginRead:
    """Login (004)."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    user = signed_in.user
    return AgroLoginRead(
        token=signed_in.access.token,
        user=AgroUserRead(user_id=user.id, username=user.username, email=user.email),
        **session_fields(signed_in),
    )


@router.post("/auth/token/", response_model=AgroTokenRead, responses=LOGIN_REFUSALS)
async def agro_token(body: LoginCreate, session: SessionDep, request: Request) -> AgroTokenRead:
    """Token only (004)."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    return AgroTokenRead(token=signed_in.access.token, **session_fields(signed_in))


@router.post("/auth/logout/", status_code=204, response_class=Response, responses=documented(NotWithApiKey))
async def agro_logout(principal: Person, session: SessionDep, request: Request) -> Response:
    """Revoke the token in use and end its login session (004)."""
    await service.logout(session, principal)
    response = Response(status_code=204)
    refuse_caller(request, response, principal)
    return response


@router.post("/auth/refresh/", response_model=RefreshRead, responses=documented(InvalidRefreshToken))
@router.post("/api/auth/refresh/", response_model=RefreshRead, responses=documented(InvalidRefreshToken))
async def refresh(body: RefreshCreate, request: Request) -> RefreshRead:
    """Trade a refresh token for a new access token and a new refresh token (public).

    Each refresh token works once. Presenting one already used ends its whole login session:
    every access token of that session is refused from then on, and the user logs in again.
    """
    try:
        signed_in = await service.refresh(request.app.state.sessionmaker, body.refresh_token)
    except RefreshTokenReused as reused:
        refuse_session(request, reused)
        raise
    return RefreshRead(access_token=signed_in.access.token, token=signed_in.access.token, **session_fields(signed_in))


@router.get("/auth/me/", response_model=MeRead)
async def me(principal: CurrentPrincipal, session: SessionDep) -> MeRead:
    """The caller (004), and their workspace."""
    user = await service.active_user(session, principal)
    profile = await profiles.get(session, user.id)
    return MeRead(
        id=user.id,
        username=user.username,
        email=user.email,
        rol=user.role,
        profile=ProfileRead.model_validate(profile) if profile else None,
        workspace=WorkspaceRead.model_validate(await service.workspace_of(session, user)),
    )

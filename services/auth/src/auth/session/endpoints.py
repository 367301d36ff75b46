"""Every seed's login and logout, over one identity."""

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from auth.errors import InvalidCredentials
from auth.profile import service as profiles
from auth.profile.schemas import ProfileData
from auth.session import service
from auth.session.schemas import (
    AgroLogin,
    AgroToken,
    AgroUser,
    BearerToken,
    Credentials,
    DeskLogin,
    DeskUser,
    ExpiringBearerToken,
    LoggedOut,
    Me,
)
from auth.session.throttle import TooManyAttempts
from shared.clients import client_address
from shared.errors import documented
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep
from shared.validation import Text

router = APIRouter(tags=["auth"])


@router.post("/token", response_model=BearerToken, responses=documented(InvalidCredentials, TooManyAttempts))
async def oauth2_token(
    session: SessionDep,
    request: Request,
    username: Annotated[Text, Form(description="El email (o el nombre de usuario)")],
    password: Annotated[Text, Form()],
) -> BearerToken:
    """OAuth2 password flow (001): form fields `username` (the email) and `password`."""
    _, issued = await service.login(session, username, password, address=client_address(request))
    return BearerToken(access_token=issued.token)


@router.post(
    "/api/auth/login", response_model=ExpiringBearerToken, responses=documented(InvalidCredentials, TooManyAttempts)
)
async def agent_login(body: Credentials, session: SessionDep, request: Request) -> ExpiringBearerToken:
    """JSON login (002)."""
    _, issued = await service.login(session, body.username, body.password, address=client_address(request))
    return ExpiringBearerToken(access_token=issued.token, expires_in=issued.expires_in)


@router.post("/api/auth/login/", response_model=DeskLogin)
async def desk_login(body: Credentials, session: SessionDep, request: Request) -> DeskLogin:
    """Support-desk login (003)."""
    user, issued = await service.login(session, body.username, body.password, address=client_address(request))
    return DeskLogin(
        token=issued.token,
        user=DeskUser(
            id=user.id, username=user.username, email=user.email, first_name=user.first_name, last_name=user.last_name
        ),
        agent=await service.desk_agent(session, user.id),
    )


@router.post("/api/auth/logout/", response_model=LoggedOut)
async def desk_logout(principal: CurrentPrincipal, session: SessionDep, request: Request) -> LoggedOut:
    """Revoke the token in use (003)."""
    await service.logout(session, principal)
    request.app.state.verifier.revocations.add(principal.token_id, principal.expires_at)
    return LoggedOut()


@router.post("/auth/login/", response_model=AgroLogin)
async def agro_login(body: Credentials, session: SessionDep, request: Request) -> AgroLogin:
    """Login (004)."""
    user, issued = await service.login(session, body.username, body.password, address=client_address(request))
    return AgroLogin(token=issued.token, user=AgroUser(user_id=user.id, username=user.username, email=user.email))


@router.post("/auth/token/", response_model=AgroToken)
async def agro_token(body: Credentials, session: SessionDep, request: Request) -> AgroToken:
    """Token only (004)."""
    _, issued = await service.login(session, body.username, body.password, address=client_address(request))
    return AgroToken(token=issued.token)


@router.post("/auth/logout/", status_code=204, response_class=Response)
async def agro_logout(principal: CurrentPrincipal, session: SessionDep, request: Request) -> Response:
    """Revoke the token in use (004)."""
    await service.logout(session, principal)
    request.app.state.verifier.revocations.add(principal.token_id, principal.expires_at)
    return Response(status_code=204)


@router.get("/auth/me/", response_model=Me)
async def me(principal: CurrentPrincipal, session: SessionDep) -> Me:
    """The caller (004)."""
    user = await service.active_user(session, principal)
    profile = await profiles.get(session, user.id)
    return Me(
        id=user.id,
        username=user.username,
        email=user.email,
        rol=user.role,
        profile=ProfileData.model_validate(profile) if profile else None,
    )

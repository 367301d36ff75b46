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


@router.post(
    "/token",
    response_model=TokenRead,
    summary="Iniciar sesión (OAuth2, formulario)",
    responses=LOGIN_REFUSALS,
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "example": {"username": "nuevo.usuario@ejemplo.com", "password": "una-clave-segura"}
                }
            }
        }
    },
)
async def login_oauth2(
    session: SessionDep,
    request: Request,
    username: Annotated[Text, Form(description="El email (o el nombre de usuario)")],
    password: Annotated[Text, Form()],
) -> TokenRead:
    """Flujo OAuth2 de contraseña (001): campos de formulario `username` (el email) y `password`.
    Devuelve el `access_token` para `Authorization: Bearer ...` y un `refresh_token`. Credenciales
    incorrectas: 401; demasiados intentos seguidos: 429."""
    signed_in = await service.login(session, username, password, address=client_address(request))
    return TokenRead(access_token=signed_in.access.token, **session_fields(signed_in))


@router.post(
    "/api/auth/login", response_model=ExpiringTokenRead, summary="Iniciar sesión (JSON)", responses=LOGIN_REFUSALS
)
async def login_json(body: LoginCreate, session: SessionDep, request: Request) -> ExpiringTokenRead:
    """Inicio de sesión con JSON (002): `access_token`, su duración `expires_in` en segundos y un
    `refresh_token`. Credenciales incorrectas: 401; demasiados intentos seguidos: 429."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    return ExpiringTokenRead(access_token=signed_in.access.token, **session_fields(signed_in))


@router.post(
    "/api/auth/login/", response_model=DeskLoginRead, summary="Iniciar sesión de agente", responses=LOGIN_REFUSALS
)
async def login_desk_agent(body: LoginCreate, session: SessionDep, request: Request) -> DeskLoginRead:
    """Inicio de sesión de un agente de soporte (003): el `token`, el usuario y su registro de agente
    (`agent`, nulo si nunca atendió). Credenciales incorrectas o campos que faltan: 400."""
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


@router.post(
    "/api/auth/logout/",
    response_model=LogoutRead,
    summary="Cerrar sesión de agente",
    responses=documented(NotWithApiKey),
)
async def logout_desk_agent(principal: Person, session: SessionDep, request: Request, response: Response) -> LogoutRead:
    """Revoca el token en uso y termina su sesión (003): desde ese momento ningún servicio lo acepta,
    ni su `refresh_token`. Solo personas: una clave de API se revoca en `/api/v1/api-keys/`."""
    await service.logout(session, principal)
    refuse_caller(request, response, principal)
    return LogoutRead()


@router.post("/auth/login/", response_model=AgroLoginRead, summary="Iniciar sesión", responses=LOGIN_REFUSALS)
async def login_user(body: LoginCreate, session: SessionDep, request: Request) -> AgroLoginRead:
    """Inicio de sesión (004): el `token` para `Authorization: Token ...` (o `Bearer`), el usuario
    y un `refresh_token`. Credenciales incorrectas: 400 con `detail`; demasiados intentos: 429."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    user = signed_in.user
    return AgroLoginRead(
        token=signed_in.access.token,
        user=AgroUserRead(user_id=user.id, username=user.username, email=user.email),
        **session_fields(signed_in),
    )


@router.post(
    "/auth/token/", response_model=AgroTokenRead, summary="Obtener un token de acceso", responses=LOGIN_REFUSALS
)
async def create_access_token(body: LoginCreate, session: SessionDep, request: Request) -> AgroTokenRead:
    """Como `POST /auth/login/`, pero la respuesta trae solo el `token` (y los campos de sesión)
    (004). Credenciales incorrectas: 400; demasiados intentos: 429."""
    signed_in = await service.login(session, body.username, body.password, address=client_address(request))
    return AgroTokenRead(token=signed_in.access.token, **session_fields(signed_in))


@router.post(
    "/auth/logout/",
    status_code=204,
    response_class=Response,
    summary="Cerrar sesión",
    responses=documented(NotWithApiKey),
)
async def logout_user(principal: Person, session: SessionDep, request: Request) -> Response:
    """Revoca el token en uso y termina su sesión (004): ningún servicio lo acepta desde ese momento,
    ni su `refresh_token`. Solo personas, no claves de API."""
    await service.logout(session, principal)
    response = Response(status_code=204)
    refuse_caller(request, response, principal)
    return response


@router.post(
    "/auth/refresh/",
    response_model=RefreshRead,
    summary="Renovar el token de acceso",
    responses=documented(InvalidRefreshToken),
)
@router.post(
    "/api/auth/refresh/",
    response_model=RefreshRead,
    summary="Renovar el token de acceso (rutas /api/auth/)",
    operation_id="refresh_api_access_token",
    responses=documented(InvalidRefreshToken),
)
async def refresh_access_token(body: RefreshCreate, request: Request) -> RefreshRead:
    """Cambia un `refresh_token` por un token de acceso nuevo y un `refresh_token` nuevo (público:
    el `refresh_token` es la credencial). La respuesta trae el token con los dos nombres que usan
    los clientes (`access_token` y `token`).

    Cada `refresh_token` sirve una sola vez: presentar uno ya usado termina toda su sesión (todos
    sus tokens de acceso se rechazan desde entonces) y el usuario vuelve a iniciar sesión. Uno
    desconocido, vencido o revocado: 401.
    """
    try:
        signed_in = await service.refresh(request.app.state.sessionmaker, body.refresh_token)
    except RefreshTokenReused as reused:
        refuse_session(request, reused)
        raise
    return RefreshRead(access_token=signed_in.access.token, token=signed_in.access.token, **session_fields(signed_in))


@router.get("/auth/me/", response_model=MeRead, summary="Ver el usuario actual")
async def get_current_user(principal: CurrentPrincipal, session: SessionDep) -> MeRead:
    """Quién llama (004): su usuario, su rol, su perfil (nulo si no lo creó) y su espacio de trabajo.
    Con una clave de API, el usuario que la creó."""
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

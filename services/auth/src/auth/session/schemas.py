"""The login answers, one per seed, field for field."""

from pydantic import BaseModel, ConfigDict, Field

from auth.profile.schemas import ProfileRead
from shared.validation import InputModel


class LoginCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "agri01", "password": "TuPasswordSegura"}]})

    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class RefreshCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8"}]}
    )

    refresh_token: str = Field(min_length=1, max_length=200)


class WorkspaceRead(BaseModel):
    """The caller's workspace (tenant), named in every login answer and `/auth/me/`."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": 1, "name": "Finca Los Andes"}]}
    )

    id: int
    name: str


class SessionRead(BaseModel):
    """Added to every seed's login answer: a mobile app renews its access token with
    `refresh_token` (`POST /auth/refresh/`) instead of storing the password."""

    refresh_token: str
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid, unless used or revoked")
    workspace: WorkspaceRead


class TokenRead(SessionRead):
    """001 `POST /token`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "token_type": "bearer",
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        },
    )

    access_token: str
    token_type: str = "bearer"


class ExpiringTokenRead(TokenRead):
    """002 `POST /api/auth/login`."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "token_type": "bearer",
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        }
    )


class RefreshRead(TokenRead):
    """`POST /auth/refresh/`: new tokens, under both names the seeds use for one."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "token_type": "bearer",
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        }
    )

    token: str


class DeskUserRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "username": "agente01",
                    "email": "agente01@ejemplo.com",
                    "first_name": "Lucía",
                    "last_name": "Quispe",
                }
            ]
        },
    )

    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class DeskLoginRead(SessionRead):
    """003 `POST /api/auth/login/`; `agent` is the caller's support-agent record (null for
    someone who never acted at the desk)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "user": {
                        "id": 3,
                        "username": "agente01",
                        "email": "agente01@ejemplo.com",
                        "first_name": "Lucía",
                        "last_name": "Quispe",
                    },
                    "agent": {
                        "id": 1,
                        "user": 3,
                        "is_available": True,
                        "current_active_chats": 0,
                        "max_concurrent_chats": 5,
                    },
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        },
    )

    token: str
    user: DeskUserRead
    agent: dict[str, object] | None = None


class AgroUserRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"user_id": 12, "username": "agri01", "email": "agri01@ejemplo.com"}]},
    )

    user_id: int
    username: str
    email: str


class AgroLoginRead(SessionRead):
    """004 `POST /auth/login/`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "user": {"user_id": 12, "username": "agri01", "email": "agri01@ejemplo.com"},
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        },
    )

    token: str
    user: AgroUserRead


class AgroTokenRead(SessionRead):
    """004 `POST /auth/token/`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        },
    )

    token: str


class MeRead(BaseModel):
    """004 `GET /auth/me/`."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "username": "agri01",
                    "email": "agri01@ejemplo.com",
                    "rol": "agricultor",
                    "profile": {
                        "nombres": "Juan",
                        "apellidos": "Pérez",
                        "telefono": "999999999",
                        "dni": "12345678",
                        "fecha_nacimiento": "1990-01-01",
                        "experiencia_agricola": 5,
                    },
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        },
    )

    id: int
    username: str
    email: str
    rol: str
    profile: ProfileRead | None = None
    workspace: WorkspaceRead


class LogoutRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"message": "Successfully logged out"}]}
    )

    message: str = "Successfully logged out"

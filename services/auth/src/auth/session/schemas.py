"""The login answers, one per seed, field for field."""

from pydantic import BaseModel, ConfigDict, Field

from auth.profile.schemas import ProfileRead
from shared.validation import InputModel


class LoginCreate(InputModel):
    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class RefreshCreate(InputModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class WorkspaceRead(BaseModel):
    """The caller's workspace (tenant), named in every login answer and `/auth/me/`."""

    model_config = ConfigDict(from_attributes=True)

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

    model_config = ConfigDict(from_attributes=True)

    access_token: str
    token_type: str = "bearer"


class ExpiringTokenRead(TokenRead):
    """002 `POST /api/auth/login`."""


class RefreshRead(TokenRead):
    """`POST /auth/refresh/`: new tokens, under both names the seeds use for one."""

    token: str


class DeskUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class DeskLoginRead(SessionRead):
    """003 `POST /api/auth/login/`; `agent` is the caller's support-agent record (null for
    someone who never acted at the desk)."""

    model_config = ConfigDict(from_attributes=True)

    token: str
    user: DeskUserRead
    agent: dict[str, object] | None = None


class AgroUserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    username: str
    email: str


class AgroLoginRead(SessionRead):
    """004 `POST /auth/login/`."""

    model_config = ConfigDict(from_attributes=True)

    token: str
    user: AgroUserRead


class AgroTokenRead(SessionRead):
    """004 `POST /auth/token/`."""

    model_config = ConfigDict(from_attributes=True)

    token: str


class MeRead(BaseModel):
    """004 `GET /auth/me/`."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    rol: str
    profile: ProfileRead | None = None
    workspace: WorkspaceRead


class LogoutRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message: str = "Successfully logged out"

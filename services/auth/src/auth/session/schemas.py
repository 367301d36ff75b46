"""The login answers, one per seed, field for field."""

from pydantic import BaseModel, ConfigDict, Field

from auth.profile.schemas import ProfileData
from shared.validation import InputModel


class Credentials(InputModel):
    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class RefreshRequest(InputModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class WorkspaceRef(BaseModel):
    """The caller's workspace (tenant), named in every login answer and `/auth/me/`."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str


class SessionFields(BaseModel):
    """Added to every seed's login answer: a mobile app renews its access token with
    `refresh_token` (`POST /auth/refresh/`) instead of storing the password."""

    refresh_token: str
    expires_in: int = Field(description="Seconds the access token is valid")
    refresh_expires_in: int = Field(description="Seconds the refresh token is valid, unless used or revoked")
    workspace: WorkspaceRef


class BearerToken(SessionFields):
    """001 `POST /token`."""

    model_config = ConfigDict(from_attributes=True)

    access_token: str
    token_type: str = "bearer"


class ExpiringBearerToken(BearerToken):
    """002 `POST /api/auth/login`."""


class Refreshed(BearerToken):
    """`POST /auth/refresh/`: new tokens, under both names the seeds use for one."""

    token: str


class DeskUser(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class DeskLogin(SessionFields):
    """003 `POST /api/auth/login/`; `agent` is the caller's support-agent record (null for
    someone who never acted at the desk)."""

    model_config = ConfigDict(from_attributes=True)

    token: str
    user: DeskUser
    agent: dict[str, object] | None = None


class AgroUser(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: int
    username: str
    email: str


class AgroLogin(SessionFields):
    """004 `POST /auth/login/`."""

    model_config = ConfigDict(from_attributes=True)

    token: str
    user: AgroUser


class AgroToken(SessionFields):
    """004 `POST /auth/token/`."""

    model_config = ConfigDict(from_attributes=True)

    token: str


class Me(BaseModel):
    """004 `GET /auth/me/`."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    rol: str
    profile: ProfileData | None = None
    workspace: WorkspaceRef


class LoggedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message: str = "Successfully logged out"

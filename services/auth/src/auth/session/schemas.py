"""The login answers, one per seed, field for field."""

from pydantic import BaseModel, ConfigDict, Field

from auth.profile.schemas import ProfileData
from shared.validation import InputModel


class Credentials(InputModel):
    username: str = Field(min_length=1)
    password: str = Field(min_length=1)


class BearerToken(BaseModel):
    """001 `POST /token`."""

    model_config = ConfigDict(from_attributes=True)

    access_token: str
    token_type: str = "bearer"


class ExpiringBearerToken(BearerToken):
    """002 `POST /api/auth/login`."""

    expires_in: int


class DeskUser(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    first_name: str
    last_name: str


class DeskLogin(BaseModel):
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


class AgroLogin(BaseModel):
    """004 `POST /auth/login/`."""

    model_config = ConfigDict(from_attributes=True)

    token: str
    user: AgroUser


class AgroToken(BaseModel):
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


class LoggedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message: str = "Successfully logged out"

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.validation import InputModel

PermissionName = str


class ApiKeyCreate(InputModel):
    """A role (`"tecnico"`) or an explicit list of permissions (`["parcelas:ver"]`), not both."""

    name: str = Field(min_length=1, max_length=100)
    role: str | None = Field(default=None, min_length=1, max_length=50)
    permissions: list[PermissionName] | None = Field(default=None, min_length=1, max_length=200)
    expires_at: AwareDatetime | None = Field(
        default=None, description="With its offset, within 10 years; without one the key works until revoked"
    )


class ApiKeyRead(BaseModel):
    """A key as listed: never the key itself, only its first characters (`prefix`)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    role: str | None
    permissions: list[str] | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewApiKeyRead(ApiKeyRead):
    key: str = Field(description="Shown once: only its digest is kept. Use it as `Authorization: Bearer <key>`")


class ApiKeyVerificationCreate(BaseModel):
    key: str = Field(max_length=200)


class ApiKeyVerificationRead(BaseModel):
    """What `shared.security.TokenVerifier` turns into a `Principal`."""

    key_id: str
    user_id: int
    tenant_id: int
    role: str
    permissions: list[str]
    platform_admin: bool
    expires_at: int | None

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.validation import InputModel

PermissionName = str


class ApiKeyCreate(InputModel):
    """A role (`"tecnico"`) or an explicit list of permissions (`["parcelas:ver"]`), not both."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Sensores de riego",
                    "permissions": ["parcelas:ver", "tareas:ver"],
                    "expires_at": "2026-10-23T00:00:00Z",
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=100)
    role: str | None = Field(default=None, min_length=1, max_length=50)
    permissions: list[PermissionName] | None = Field(default=None, min_length=1, max_length=200)
    expires_at: AwareDatetime | None = Field(
        default=None, description="With its offset, within 10 years; without one the key works until revoked"
    )


class ApiKeyRead(BaseModel):
    """A key as listed: never the key itself, only its first characters (`prefix`)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2b9c1e7a5d4f6b8c0e2a4d6f8b0c1e",
                    "name": "Sensores de riego",
                    "prefix": "ak_Hs1Jd6Fg",
                    "role": None,
                    "permissions": ["parcelas:ver", "tareas:ver"],
                    "created_at": "2025-10-23T10:30:00Z",
                    "expires_at": "2026-10-23T00:00:00Z",
                    "last_used_at": None,
                    "revoked_at": None,
                }
            ]
        },
    )

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
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f2b9c1e7a5d4f6b8c0e2a4d6f8b0c1e",
                    "name": "Sensores de riego",
                    "prefix": "ak_Hs1Jd6Fg",
                    "role": None,
                    "permissions": ["parcelas:ver", "tareas:ver"],
                    "created_at": "2025-10-23T10:30:00Z",
                    "expires_at": "2026-10-23T00:00:00Z",
                    "last_used_at": None,
                    "revoked_at": None,
                    "key": "ak_Hs1Jd6Fg3Mc5Ye0Ua2Ri7Oe9Wqp7Qw2xZr9LkT4vBn8",
                }
            ]
        }
    )

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

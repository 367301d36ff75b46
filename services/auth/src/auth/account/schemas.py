from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.validation import InputModel


class UserCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "nuevo.usuario@ejemplo.com", "password": "una-clave-segura"}]}
    )

    email: EmailStr
    password: str = Field(min_length=8, max_length=256)


class UserRead(BaseModel):
    """001's user: never the password."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"email": "nuevo.usuario@ejemplo.com", "id": 1, "is_active": True, "bots": []}]
        },
    )

    email: str
    id: int
    is_active: bool
    bots: list[dict[str, object]] = Field(default_factory=list)

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Int64


class MemberRead(BaseModel):
    """A person of the workspace and their role."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 12,
                    "username": "luis.mamani",
                    "email": "luis.mamani@ejemplo.com",
                    "role": "tecnico",
                    "display_name": "Luis Mamani",
                    "created_at": "2025-10-23T10:30:00Z",
                }
            ]
        },
    )

    id: int
    username: str
    email: str
    role: str
    display_name: str | None = Field(description='"nombres apellidos" of their profile, if any')
    created_at: datetime


class MemberUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"role": "tecnico"}]})

    role: str = Field(min_length=1, max_length=50, description="`agente`, `tecnico`, `agricultor`, `administrador`")


class UserRoleUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"rol_id": 3}]})

    rol_id: Int64


class UserRoleRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{"detail": "Rol actualizado", "user_id": 12, "rol_id": 3}]},
    )

    detail: str = "Rol actualizado"
    user_id: int
    rol_id: int

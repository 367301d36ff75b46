from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Int64


class MemberRead(BaseModel):
    """A person of the workspace and their role."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    email: str
    role: str
    display_name: str | None = Field(description='"nombres apellidos" of their profile, if any')
    created_at: datetime


class MemberUpdate(InputModel):
    role: str = Field(min_length=1, max_length=50, description="`agente`, `tecnico`, `agricultor`, `administrador`")


class UserRoleUpdate(InputModel):
    rol_id: Int64


class UserRoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    detail: str = "Rol actualizado"
    user_id: int
    rol_id: int

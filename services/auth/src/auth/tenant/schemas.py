from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, PatchModel


class TenantCreate(InputModel):
    name: str = Field(min_length=1, max_length=200)


class TenantUpdate(PatchModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_active: bool | None = None


class TenantRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    is_active: bool
    created_at: datetime

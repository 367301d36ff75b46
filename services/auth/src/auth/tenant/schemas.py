from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, PatchModel


class TenantCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Finca Los Andes"}]})

    name: str = Field(min_length=1, max_length=200)


class TenantUpdate(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Finca Los Andes S.A.C.", "is_active": True}]})

    name: str | None = Field(default=None, min_length=1, max_length=200)
    is_active: bool | None = None


class TenantRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"id": 1, "name": "Finca Los Andes", "is_active": True, "created_at": "2025-10-23T10:30:00Z"}]
        },
    )

    id: int
    name: str
    is_active: bool
    created_at: datetime

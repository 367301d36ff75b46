from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Int64, Nullable, PatchModel

Estado = Literal["pendiente", "en_progreso", "completada", "cancelada"]
Origen = Literal["manual", "ia"]
Decision = Literal["pendiente", "aceptada", "rechazada"]


class TaskCreate(InputModel):
    tipo: str = Field(min_length=1, max_length=100)
    descripcion: str = ""
    fecha_programada: datetime | None = None
    estado: Estado = "pendiente"


class TaskCreateGlobal(TaskCreate):
    """`POST /api/tareas/` names the field in the body."""

    parcela: Int64


class TaskUpdate(InputModel):
    tipo: str = Field(min_length=1, max_length=100)
    descripcion: str = ""
    fecha_programada: datetime | None = None
    estado: Estado = "pendiente"
    decision: Decision | None = None


class TaskPatch(PatchModel):
    tipo: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: str | None = None
    fecha_programada: Annotated[datetime | None, Nullable] = None
    estado: Estado | None = None
    decision: Decision | None = None


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    parcela: int = Field(validation_alias="parcela_id")
    tipo: str
    descripcion: str
    fecha_programada: datetime | None
    estado: Estado
    origen: Origen
    decision: Decision
    deleted_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TaskDecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    detail: str

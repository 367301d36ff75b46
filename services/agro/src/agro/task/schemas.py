from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Int64, Nullable, PatchModel

Estado = Literal["pendiente", "en_progreso", "completada", "cancelada"]
Origen = Literal["manual", "ia"]
Decision = Literal["pendiente", "aceptada", "rechazada"]

# 004's own body ("crear manual") and task ("Modelo Task (respuesta)").
_NEW_TASK: dict[str, Any] = {
    "tipo": "fertilización",
    "descripcion": "NPK 15-15-15",
    "fecha_programada": "2025-10-24T08:00:00Z",
    "estado": "pendiente",
}
_TASK: dict[str, Any] = {
    "id": 100,
    "parcela": 7,
    "tipo": "riego",
    "descripcion": "Regar 30 min (regla 5) — parametro=humedad_suelo, valor=18.2",
    "fecha_programada": "2025-10-23T11:30:00Z",
    "estado": "pendiente",
    "origen": "ia",
    "decision": "pendiente",
    "deleted_at": None,
    "created_at": "2025-10-23T10:40:00Z",
    "updated_at": "2025-10-23T10:40:00Z",
}


class TaskCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_NEW_TASK]})

    tipo: str = Field(min_length=1, max_length=100)
    descripcion: str = ""
    fecha_programada: datetime | None = None
    estado: Estado = "pendiente"


class TaskCreateGlobal(TaskCreate):
    """`POST /api/tareas/` names the field in the body."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**_NEW_TASK, "parcela": 7}]})

    parcela: Int64


class TaskUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{**_NEW_TASK, "estado": "en_progreso"}]})

    tipo: str = Field(min_length=1, max_length=100)
    descripcion: str = ""
    fecha_programada: datetime | None = None
    estado: Estado = "pendiente"
    decision: Decision | None = None


class TaskPatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"decision": "aceptada"}, {"estado": "completada"}]})

    tipo: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: str | None = None
    fecha_programada: Annotated[datetime | None, Nullable] = None
    estado: Estado | None = None
    decision: Decision | None = None


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_TASK]})

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
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{"detail": "Aceptado"}]})

    detail: str

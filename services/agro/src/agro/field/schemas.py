from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from agro.plan.schemas import Money
from shared.validation import InputModel, Int64, Nullable, PatchModel

# 004's own body ("Crear parcela").
_FIELD: dict[str, Any] = {
    "nombre": "Parcela A",
    "ubicacion": "Cusco",
    "tamano_hectareas": "2.5",
    "coordenadas": "-13.5,-71.9",
}


class FieldUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_FIELD]})

    nombre: str = Field(min_length=1, max_length=150)
    ubicacion: str = Field(default="", max_length=255)
    tamano_hectareas: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    coordenadas: str = Field(default="", max_length=100)
    variedad_id: Int64 | None = None
    fecha_siembra: date | None = None
    etapa_id: Int64 | None = None


class FieldCreate(FieldUpdate):
    """With `plan_id` the new field is subscribed to that plan."""

    model_config = ConfigDict(json_schema_extra={"examples": [{**_FIELD, "plan_id": 1}]})

    plan_id: Int64 | None = None


class FieldPatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"ubicacion": "Cusco, sector norte"}]})

    nombre: str | None = Field(default=None, min_length=1, max_length=150)
    ubicacion: str | None = Field(default=None, max_length=255)
    tamano_hectareas: Decimal | None = Field(default=None, gt=0, max_digits=10, decimal_places=2)
    coordenadas: str | None = Field(default=None, max_length=100)
    variedad_id: Annotated[Int64 | None, Nullable] = None
    fecha_siembra: Annotated[date | None, Nullable] = None
    etapa_id: Annotated[Int64 | None, Nullable] = None


class NewFieldRead(BaseModel):
    """004: `{"parcela_id": 7, "plan": "Básico"}`."""

    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"parcela_id": 7, "plan": "Básico"}]}
    )

    parcela_id: int
    plan: str | None


class FieldRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 7,
                    "nombre": "Parcela A",
                    "ubicacion": "Cusco",
                    "tamano_hectareas": "2.50",
                    "coordenadas": "-13.5,-71.9",
                    "variedad_id": 10,
                    "fecha_siembra": "2025-09-01",
                    "etapa_actual": 3,
                    "plan_activo": "Básico",
                    "usuario": 12,
                    "created_at": "2025-10-20T14:02:11Z",
                    "updated_at": "2025-10-23T10:40:00Z",
                }
            ]
        },
    )

    id: int
    nombre: str
    ubicacion: str
    tamano_hectareas: Money
    coordenadas: str
    variedad_id: int | None
    fecha_siembra: date | None
    etapa_actual: int | None
    plan_activo: str | None
    usuario: int
    created_at: datetime
    updated_at: datetime

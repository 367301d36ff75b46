from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from agro.plan.schemas import Money


class FieldUpdate(BaseModel):
    nombre: str = Field(min_length=1, max_length=150)
    ubicacion: str = Field(default="", max_length=255)
    tamano_hectareas: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    coordenadas: str = Field(default="", max_length=100)
    variedad_id: int | None = None
    fecha_siembra: date | None = None
    etapa_id: int | None = None


class FieldCreate(FieldUpdate):
    """With `plan_id` the new field is subscribed to that plan."""

    plan_id: int | None = None


class FieldPatch(BaseModel):
    nombre: str | None = Field(default=None, min_length=1, max_length=150)
    ubicacion: str | None = Field(default=None, max_length=255)
    tamano_hectareas: Decimal | None = Field(default=None, gt=0, max_digits=10, decimal_places=2)
    coordenadas: str | None = Field(default=None, max_length=100)
    variedad_id: int | None = None
    fecha_siembra: date | None = None
    etapa_id: int | None = None


class FieldCreated(BaseModel):
    """004: `{"parcela_id": 7, "plan": "Básico"}`."""

    parcela_id: int
    plan: str | None


class FieldOut(BaseModel):
    id: int
    nombre: str
    ubicacion: str
    tamano_hectareas: Money
    coordenadas: str
    variedad_id: int | None
    fecha_siembra: date | None
    etapa_actual: int | None
    plan_activo: str | None
    usuario: str
    created_at: datetime
    updated_at: datetime

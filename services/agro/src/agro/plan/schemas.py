import re
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, field_validator

from agro.models import DAILY_YEARS, HOURLY_MONTHS, RAW_DAYS
from shared.validation import InputModel, Int64, Nullable, PatchModel

# DRF renders decimals as strings ("0.00"); so do we.
Money = Annotated[Decimal, PlainSerializer(lambda v: f"{v:.2f}", return_type=str)]
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


# 004's own plan ("Modelo Plan (respuesta)").
_PLAN: dict[str, Any] = {
    "nombre": "Básico",
    "descripcion": "Monitoreo básico",
    "frecuencia_minutos": 60,
    "veces_por_dia": 3,
    "horarios_por_defecto": ["07:00", "15:00", "22:00"],
    "limite_lecturas_dia": 8,
    "precio": "0.00",
}
_SUBSCRIPTION: dict[str, Any] = {"id": 11, "parcela_id": 7, "plan_id": 2, "estado": "activo"}


def _check_times(times: list[str] | None) -> list[str] | None:
    if times is not None:
        for value in times:
            if not _HHMM.match(value):
                raise ValueError(f"'{value}' no es una hora HH:MM")
    return times


class PlanFields(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_PLAN]})

    nombre: str = Field(min_length=1, max_length=100)
    descripcion: str | None = None
    frecuencia_minutos: int | None = Field(default=None, ge=1)
    veces_por_dia: int = Field(ge=0)
    horarios_por_defecto: list[str] = Field(default_factory=list)
    limite_lecturas_dia: int = Field(ge=0)
    precio: Decimal = Field(ge=0, max_digits=10, decimal_places=2)
    # Not in 004: how long brain keeps the readings of the plan's fields, per level.
    retencion_lecturas_dias: int = Field(default=RAW_DAYS, ge=1, le=3660, description="Lecturas crudas, en días")
    retencion_horaria_meses: int = Field(default=HOURLY_MONTHS, ge=1, le=120, description="Agregados por hora, meses")
    retencion_diaria_anios: int = Field(default=DAILY_YEARS, ge=1, le=100, description="Agregados por día, años")

    _times = field_validator("horarios_por_defecto")(_check_times)


class PlanPatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"precio": "9.90", "limite_lecturas_dia": 24}]})

    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: Annotated[str | None, Nullable] = None
    frecuencia_minutos: Annotated[int | None, Nullable] = Field(default=None, ge=1)
    veces_por_dia: int | None = Field(default=None, ge=0)
    horarios_por_defecto: list[str] | None = None
    limite_lecturas_dia: int | None = Field(default=None, ge=0)
    precio: Decimal | None = Field(default=None, ge=0, max_digits=10, decimal_places=2)
    retencion_lecturas_dias: int | None = Field(default=None, ge=1, le=3660)
    retencion_horaria_meses: int | None = Field(default=None, ge=1, le=120)
    retencion_diaria_anios: int | None = Field(default=None, ge=1, le=100)

    _times = field_validator("horarios_por_defecto")(_check_times)


class PlanRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    **_PLAN,
                    "created_at": "2025-10-01T00:00:00Z",
                    "updated_at": "2025-10-01T00:00:00Z",
                    # Additions to 004's plan: how long its fields' readings are kept, per level.
                    "retencion_lecturas_dias": RAW_DAYS,
                    "retencion_horaria_meses": HOURLY_MONTHS,
                    "retencion_diaria_anios": DAILY_YEARS,
                }
            ]
        },
    )

    id: int
    nombre: str
    descripcion: str | None
    frecuencia_minutos: int | None
    veces_por_dia: int
    horarios_por_defecto: list[str]
    limite_lecturas_dia: int
    precio: Money
    created_at: datetime
    updated_at: datetime
    retencion_lecturas_dias: int
    retencion_horaria_meses: int
    retencion_diaria_anios: int


class SubscriptionCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"plan_id": 2}]})

    plan_id: Int64


class SubscriptionPatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"estado": "suspendido"}]})

    plan_id: Int64 | None = None
    estado: Literal["activo", "suspendido", "vencido"] | None = None


class NewSubscriptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_SUBSCRIPTION]})

    id: int
    parcela_id: int
    plan_id: int
    estado: str


class SubscriptionRead(NewSubscriptionRead):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [{**_SUBSCRIPTION, "fecha_inicio": "2025-10-23T10:00:00Z", "fecha_fin": None}]},
    )

    fecha_inicio: datetime
    fecha_fin: datetime | None

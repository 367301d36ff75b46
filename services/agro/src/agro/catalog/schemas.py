from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Int64, PatchModel

_CROP: dict[str, Any] = {
    "id": 1,
    "nombre": "Tomate",
    "descripcion": "Solanum lycopersicum, de invernadero o campo abierto",
}
_VARIETY: dict[str, Any] = {"id": 10, "cultivo_id": 1, "nombre": "Cherry", "descripcion": "Fruto pequeño, ciclo corto"}
_STAGE: dict[str, Any] = {
    "id": 3,
    "variedad_id": 10,
    "nombre": "Floración",
    "orden": 2,
    "duracion_dias": 25,
    "descripcion": "Desde la primera flor hasta el cuajado",
}
# 004's own rule ("Modelo (referencial)").
_RULE: dict[str, Any] = {
    "id": 5,
    "etapa_id": 3,
    "parametro": "humedad_suelo",
    "minimo": 20.0,
    "maximo": 35.0,
    "accion_si_menor": "regar",
    "accion_si_mayor": "reducir_riego",
    "activo": True,
}


def _without(example: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in example.items() if key not in names}


class CropFields(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_without(_CROP, "id")]})

    nombre: str = Field(min_length=1, max_length=100)
    descripcion: str = ""


class CropPatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"descripcion": "Tomate de mesa"}]})

    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: str | None = None


class CropRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_CROP]})

    id: int
    nombre: str
    descripcion: str


class VarietyFields(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_without(_VARIETY, "id", "cultivo_id")]})

    nombre: str = Field(min_length=1, max_length=100)
    descripcion: str = ""


class VarietyCreate(VarietyFields):
    """`POST /api/variedades/` names the crop in the body."""

    model_config = ConfigDict(json_schema_extra={"examples": [_without(_VARIETY, "id")]})

    cultivo_id: Int64


class VarietyPatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"nombre": "Cherry pera"}]})

    cultivo_id: Int64 | None = None
    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: str | None = None


class VarietyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_VARIETY]})

    id: int
    cultivo_id: int
    nombre: str
    descripcion: str


class StageFields(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_without(_STAGE, "id", "variedad_id")]})

    nombre: str = Field(min_length=1, max_length=100)
    orden: int = Field(default=1, ge=1)
    duracion_dias: int = Field(default=30, ge=1, le=3650)
    descripcion: str = ""


class StageCreate(StageFields):
    model_config = ConfigDict(json_schema_extra={"examples": [_without(_STAGE, "id")]})

    variedad_id: Int64


class StagePatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"duracion_dias": 30}]})

    variedad_id: Int64 | None = None
    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    orden: int | None = Field(default=None, ge=1)
    duracion_dias: int | None = Field(default=None, ge=1, le=3650)
    descripcion: str | None = None


class StageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_STAGE]})

    id: int
    variedad_id: int
    nombre: str
    orden: int
    duracion_dias: int
    descripcion: str


class RuleFields(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_without(_RULE, "id", "etapa_id")]})

    parametro: str = Field(min_length=1, max_length=100)
    minimo: float
    maximo: float
    accion_si_menor: str = Field(default="", max_length=200)
    accion_si_mayor: str = Field(default="", max_length=200)
    activo: bool = True


class RuleCreate(RuleFields):
    model_config = ConfigDict(json_schema_extra={"examples": [_without(_RULE, "id")]})

    etapa_id: Int64


class RulePatch(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"minimo": 22.0, "activo": True}]})

    etapa_id: Int64 | None = None
    parametro: str | None = Field(default=None, min_length=1, max_length=100)
    minimo: float | None = None
    maximo: float | None = None
    accion_si_menor: str | None = Field(default=None, max_length=200)
    accion_si_mayor: str | None = Field(default=None, max_length=200)
    activo: bool | None = None


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_RULE]})

    id: int
    etapa_id: int
    parametro: str
    minimo: float
    maximo: float
    accion_si_menor: str
    accion_si_mayor: str
    activo: bool

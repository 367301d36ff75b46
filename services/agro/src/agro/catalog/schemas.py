from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Int64, PatchModel


class CropFields(InputModel):
    nombre: str = Field(min_length=1, max_length=100)
    descripcion: str = ""


class CropPatch(PatchModel):
    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: str | None = None


class CropRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str
    descripcion: str


class VarietyFields(InputModel):
    nombre: str = Field(min_length=1, max_length=100)
    descripcion: str = ""


class VarietyCreate(VarietyFields):
    """`POST /api/variedades/` names the crop in the body."""

    cultivo_id: Int64


class VarietyPatch(PatchModel):
    cultivo_id: Int64 | None = None
    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    descripcion: str | None = None


class VarietyRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    cultivo_id: int
    nombre: str
    descripcion: str


class StageFields(InputModel):
    nombre: str = Field(min_length=1, max_length=100)
    orden: int = Field(default=1, ge=1)
    duracion_dias: int = Field(default=30, ge=1, le=3650)
    descripcion: str = ""


class StageCreate(StageFields):
    variedad_id: Int64


class StagePatch(PatchModel):
    variedad_id: Int64 | None = None
    nombre: str | None = Field(default=None, min_length=1, max_length=100)
    orden: int | None = Field(default=None, ge=1)
    duracion_dias: int | None = Field(default=None, ge=1, le=3650)
    descripcion: str | None = None


class StageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    variedad_id: int
    nombre: str
    orden: int
    duracion_dias: int
    descripcion: str


class RuleFields(InputModel):
    parametro: str = Field(min_length=1, max_length=100)
    minimo: float
    maximo: float
    accion_si_menor: str = Field(default="", max_length=200)
    accion_si_mayor: str = Field(default="", max_length=200)
    activo: bool = True


class RuleCreate(RuleFields):
    etapa_id: Int64


class RulePatch(PatchModel):
    etapa_id: Int64 | None = None
    parametro: str | None = Field(default=None, min_length=1, max_length=100)
    minimo: float | None = None
    maximo: float | None = None
    accion_si_menor: str | None = Field(default=None, max_length=200)
    accion_si_mayor: str | None = Field(default=None, max_length=200)
    activo: bool | None = None


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    etapa_id: int
    parametro: str
    minimo: float
    maximo: float
    accion_si_menor: str
    accion_si_mayor: str
    activo: bool

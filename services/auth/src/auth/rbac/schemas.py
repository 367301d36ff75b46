from pydantic import BaseModel, ConfigDict

from shared.validation import InputModel, Int64


class ModuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str


class RoleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str
    descripcion: str


class OperationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str
    modulo: ModuleRead


class PermissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rol: RoleRead
    modulo: ModuleRead
    operacion: OperationRead


class PermissionCreate(InputModel):
    rol_id: Int64
    modulo_id: Int64
    operacion_id: Int64

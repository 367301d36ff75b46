from pydantic import BaseModel, ConfigDict

from shared.validation import InputModel, Int64


class ModuloRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str


class RolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str
    descripcion: str


class OperacionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nombre: str
    modulo: ModuloRead


class PermisoRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    rol: RolRead
    modulo: ModuloRead
    operacion: OperacionRead


class PermisoCreate(InputModel):
    rol_id: Int64
    modulo_id: Int64
    operacion_id: Int64


class RoleChange(InputModel):
    rol_id: Int64


class RoleChanged(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    detail: str = "Rol actualizado"
    user_id: int
    rol_id: int

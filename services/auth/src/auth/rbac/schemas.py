from pydantic import BaseModel, ConfigDict


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
    id: int
    nombre: str
    modulo: ModuloRead


class PermisoRead(BaseModel):
    id: int
    rol: RolRead
    modulo: ModuloRead
    operacion: OperacionRead


class PermisoCreate(BaseModel):
    rol_id: int
    modulo_id: int
    operacion_id: int


class RoleChange(BaseModel):
    rol_id: int


class RoleChanged(BaseModel):
    detail: str = "Rol actualizado"
    user_id: int
    rol_id: int

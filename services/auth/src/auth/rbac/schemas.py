from pydantic import BaseModel, ConfigDict

from shared.validation import InputModel, Int64


class ModuleRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": 173, "nombre": "administracion"}]}
    )

    id: int
    nombre: str


class RoleRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"id": 60, "nombre": "administrador", "descripcion": "Administra el espacio de trabajo"}]
        },
    )

    id: int
    nombre: str
    descripcion: str


class OperationRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [{"id": 863, "nombre": "actualizar", "modulo": {"id": 173, "nombre": "administracion"}}]
        },
    )

    id: int
    nombre: str
    modulo: ModuleRead


class PermissionRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1801,
                    "rol": {"id": 60, "nombre": "administrador", "descripcion": "Administra el espacio de trabajo"},
                    "modulo": {"id": 173, "nombre": "administracion"},
                    "operacion": {"id": 863, "nombre": "actualizar", "modulo": {"id": 173, "nombre": "administracion"}},
                }
            ]
        },
    )

    id: int
    rol: RoleRead
    modulo: ModuleRead
    operacion: OperationRead


class PermissionCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"rol_id": 60, "modulo_id": 173, "operacion_id": 863}]})

    rol_id: Int64
    modulo_id: Int64
    operacion_id: Int64

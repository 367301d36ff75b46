from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.validation import InputModel, Int64


class ProspectCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nombre_completo": "María Huamán Rojas",
                    "dni": "45678912",
                    "correo": "maria.huaman@ejemplo.com",
                    "telefono": "987654321",
                    "ubicacion_parcela": "Huaral, Lima",
                    "descripcion_terreno": "2 hectáreas de palta con riego por goteo",
                }
            ]
        }
    )

    nombre_completo: str = Field(min_length=1, max_length=200)
    dni: str = Field(min_length=1, max_length=20)
    correo: EmailStr
    telefono: str = Field(default="", max_length=30)
    ubicacion_parcela: str = Field(default="", max_length=255)
    descripcion_terreno: str = Field(default="", max_length=2000)
    # The workspace applied to; the platform's own when omitted.
    tenant: Int64 | None = None


class ProspectRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "nombre_completo": "María Huamán Rojas",
                    "dni": "45678912",
                    "correo": "maria.huaman@ejemplo.com",
                    "telefono": "987654321",
                    "ubicacion_parcela": "Huaral, Lima",
                    "descripcion_terreno": "2 hectáreas de palta con riego por goteo",
                    "estado": "pendiente",
                }
            ]
        },
    )

    id: int
    nombre_completo: str
    dni: str
    correo: str
    telefono: str
    ubicacion_parcela: str
    descripcion_terreno: str
    estado: Literal["pendiente", "aprobado", "rechazado"]


class ProspectAcceptanceCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "nuevo", "password": "una-clave-segura", "correo": "opcional@email.com"}]
        }
    )

    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=8, max_length=256)
    correo: EmailStr | None = None


class ProspectAcceptanceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{"msg": "Agricultor creado"}]})

    msg: str = "Agricultor creado"

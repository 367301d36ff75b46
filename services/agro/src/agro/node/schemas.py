from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel

_NODE: dict[str, Any] = {
    "id": 1,
    "codigo": "NM-001",
    "parcela_id": 7,
    "ubicacion": "Esquina norte, junto al reservorio",
    "activo": True,
    "created_at": "2025-10-20T14:05:00Z",
    "updated_at": "2025-10-20T14:05:00Z",
}
_TOKEN = "nd_3q2Jd9Xw0kR7vLmP4sT8yB1cN6eH5fGaZ0uIoQ2wE4r"


class MasterNodeCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"codigo": "NM-002", "ubicacion": "Esquina sur"}]})

    codigo: str = Field(min_length=1, max_length=50)
    ubicacion: str = Field(default="", max_length=255)


class MasterNodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_NODE]})

    id: int
    codigo: str
    parcela_id: int
    ubicacion: str
    activo: bool
    created_at: datetime
    updated_at: datetime


class NewMasterNodeRead(MasterNodeRead):
    """Only this answer ever shows the node token: the node sends `Authorization: Node <token>`."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{**_NODE, "token": _TOKEN}]})

    token: str


class NodeTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [{"token": _TOKEN}]})

    token: str


class SecondaryNodeCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"codigo": "NS-01", "tipo": "sensor", "descripcion": "Humedad del suelo a 20 cm"}]
        }
    )

    codigo: str = Field(min_length=1, max_length=50)
    tipo: str = Field(default="sensor", min_length=1, max_length=50)
    descripcion: str = ""


class SecondaryNodeRead(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "nodo_maestro_id": 1,
                    "codigo": "NS-01",
                    "tipo": "sensor",
                    "descripcion": "Humedad del suelo a 20 cm",
                    "created_at": "2025-10-20T14:06:00Z",
                }
            ]
        },
    )

    id: int
    nodo_maestro_id: int
    codigo: str
    tipo: str
    descripcion: str
    created_at: datetime

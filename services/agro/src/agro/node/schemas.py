from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel


class MasterNodeCreate(InputModel):
    codigo: str = Field(min_length=1, max_length=50)
    ubicacion: str = Field(default="", max_length=255)


class MasterNodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    codigo: str
    parcela_id: int
    ubicacion: str
    activo: bool
    created_at: datetime
    updated_at: datetime


class NewMasterNodeRead(MasterNodeRead):
    """Only this answer ever shows the node token: the node sends `Authorization: Node <token>`."""

    token: str


class NodeTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    token: str


class SecondaryNodeCreate(InputModel):
    codigo: str = Field(min_length=1, max_length=50)
    tipo: str = Field(default="sensor", min_length=1, max_length=50)
    descripcion: str = ""


class SecondaryNodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    nodo_maestro_id: int
    codigo: str
    tipo: str
    descripcion: str
    created_at: datetime

from datetime import date
from typing import Annotated

from pydantic import ConfigDict, Field

from shared.validation import InputModel, Nullable, PatchModel


class ProfileCreate(InputModel):
    """004's PerfilUsuario, written whole (POST, PUT)."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "nombres": "Juan",
                    "apellidos": "Pérez",
                    "telefono": "999999999",
                    "dni": "12345678",
                    "fecha_nacimiento": "1990-01-01",
                    "experiencia_agricola": 5,
                }
            ]
        },
    )

    nombres: str = Field(default="", max_length=150)
    apellidos: str = Field(default="", max_length=150)
    telefono: str = Field(default="", max_length=30)
    dni: str = Field(default="", max_length=20)
    fecha_nacimiento: date | None = None
    experiencia_agricola: int | None = Field(default=None, ge=0, le=100)


class ProfileRead(ProfileCreate):
    """The profile as answered: the shape it is written in."""


class ProfileUpdate(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"telefono": "988777666", "experiencia_agricola": 6}]})

    nombres: str | None = Field(default=None, max_length=150)
    apellidos: str | None = Field(default=None, max_length=150)
    telefono: str | None = Field(default=None, max_length=30)
    dni: str | None = Field(default=None, max_length=20)
    fecha_nacimiento: Annotated[date | None, Nullable] = None
    experiencia_agricola: Annotated[int | None, Nullable] = Field(default=None, ge=0, le=100)

"""004's ingest body (`IngestCreate`, with its parts), and its answer (`IngestRead`)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import BulkText, Finite, InputModel, Int64


# A post carries up to thousands of these: plain models with constraints checked in
# pydantic-core (no NUL, finite values) rather than InputModel's per-field Python validator.
class SensorValueCreate(BaseModel):
    sensor: BulkText = Field(min_length=1, max_length=100, examples=["humedad_suelo"])
    valor: Finite = Field(examples=[23.4])
    unidad: BulkText = Field(default="", max_length=20, examples=["%"])


class LecturaCreate(BaseModel):
    nodo_codigo: BulkText = Field(min_length=1, max_length=100, examples=["N1"])
    # Beyond 004: a node that buffered readings while offline stamps each one; without it the
    # post's `timestamp` applies.
    timestamp: datetime | None = None
    sensores: list[SensorValueCreate] = Field(min_length=1)


class IngestCreate(InputModel):
    """004's own body ("Ingesta de datos desde nodo maestro")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "codigo_nodo_maestro": "NM-001",
                    "parcela_id": 7,
                    "timestamp": "2025-10-23T10:15:00Z",
                    "lecturas": [
                        {
                            "nodo_codigo": "N1",
                            "sensores": [
                                {"sensor": "humedad_suelo", "valor": 23.4, "unidad": "%"},
                                {"sensor": "temperatura", "valor": 28.1, "unidad": "C"},
                            ],
                        }
                    ],
                }
            ]
        }
    )

    codigo_nodo_maestro: str = Field(min_length=1, max_length=100, examples=["NM-001"])
    parcela_id: Int64 = Field(ge=1, examples=[7])
    # ISO 8601; without an offset it is taken as UTC. Required unless every lectura has its own.
    timestamp: datetime | None = None
    lecturas: list[LecturaCreate] = Field(min_length=1)


class IngestRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"detail": "ok", "inserted": 1}]})

    detail: Literal["ok"] = "ok"
    # Lecturas (one secondary node at one instant) newly accepted; a retried post counts 0.
    inserted: int

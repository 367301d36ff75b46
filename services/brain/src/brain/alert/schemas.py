"""Alerts and their acknowledgement trail (not in 004: additions for the console, issue 26)."""

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel

_ACK: dict[str, Any] = {"usuario_id": 12, "nota": "Revisado el riego", "at": "2025-10-23T10:52:00Z"}
_ALERT: dict[str, Any] = {
    "id": 31,
    "parcela_id": 7,
    "tipo": "regla",
    "severity": "critical",
    "parametro": "humedad_suelo",
    "mensaje": "regar (regla 5) — parametro=humedad_suelo, valor=18.2",
    "regla_id": 5,
    "nodo_codigo": "N1",
    "valor": 18.2,
    "raised_at": "2025-10-23T10:40:00Z",
    "cleared_at": None,
    "reconocimientos": [_ACK],
}


class AlertAckCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"nota": "Revisado el riego"}]})

    nota: str = Field(default="", max_length=500)


class AlertAckRead(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_ACK]})

    usuario_id: int
    nota: str
    at: datetime


class AlertRead(BaseModel):
    """An alert and who acknowledged it, oldest first; `cleared_at` is set once it is over
    (a stale sensor that reported again)."""

    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [_ALERT]})

    id: int
    parcela_id: int
    tipo: Literal["regla", "sensor.stale"]
    severity: Literal["critical", "warning"]
    parametro: str
    mensaje: str
    regla_id: int | None
    nodo_codigo: str | None
    valor: float | None
    raised_at: datetime
    cleared_at: datetime | None
    reconocimientos: list[AlertAckRead]

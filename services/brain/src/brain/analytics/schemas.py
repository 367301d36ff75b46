"""004's Brain answers: history, series and KPIs."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

Bucket = Literal["minute", "hour", "day"]
# Which level answered (not in 004): each reading, hourly or daily aggregates (`brain.retention`).
Nivel = Literal["crudo", "hora", "dia"]
Scope = Literal["user", "global"]


class HistoryPoint(BaseModel):
    t: datetime
    parametro: str
    avg: float
    min: float
    max: float


class HistoryRead(BaseModel):
    parcela_id: int
    bucket: Bucket
    series: list[HistoryPoint]
    nivel: Nivel


class SeriesPoint(BaseModel):
    t: datetime
    v: float


class SeriesRead(BaseModel):
    parcela_id: int
    parametro: str
    points: list[SeriesPoint]
    nivel: Nivel


class KpisRead(BaseModel):
    tareas_totales: int
    tareas_ia_generadas: int
    tareas_ia_aceptadas: int
    tareas_ia_rechazadas: int
    parcelas_monitoreadas: int

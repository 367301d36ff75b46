"""004's Brain answers: history, series and KPIs."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

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
    """004's own answer ("Historial de lecturas")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parcela_id": 7,
                    "bucket": "hour",
                    "series": [
                        {
                            "t": "2025-10-23T10:00:00Z",
                            "parametro": "humedad_suelo",
                            "avg": 23.4,
                            "min": 21.0,
                            "max": 26.8,
                        }
                    ],
                    "nivel": "hora",
                }
            ]
        }
    )

    parcela_id: int
    bucket: Bucket
    series: list[HistoryPoint]
    nivel: Nivel


class SeriesPoint(BaseModel):
    t: datetime
    v: float


class SeriesRead(BaseModel):
    """004's own answer ("Serie temporal")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "parcela_id": 7,
                    "parametro": "temperatura",
                    "points": [{"t": "2025-10-23T09:12:00Z", "v": 28.2}, {"t": "2025-10-23T09:27:00Z", "v": 28.6}],
                    "nivel": "crudo",
                }
            ]
        }
    )

    parcela_id: int
    parametro: str
    points: list[SeriesPoint]
    nivel: Nivel


class KpisRead(BaseModel):
    """004's own answer ("KPIs del sistema / usuario")."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "tareas_totales": 42,
                    "tareas_ia_generadas": 12,
                    "tareas_ia_aceptadas": 8,
                    "tareas_ia_rechazadas": 3,
                    "parcelas_monitoreadas": 5,
                }
            ]
        }
    )

    tareas_totales: int
    tareas_ia_generadas: int
    tareas_ia_aceptadas: int
    tareas_ia_rechazadas: int
    parcelas_monitoreadas: int

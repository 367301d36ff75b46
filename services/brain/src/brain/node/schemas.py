"""Master nodes' and sensors' last-seen times (not in 004: additions for the console, issue 26)."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class NodeSeenRead(BaseModel):
    """A master node of a field as brain heard it: when its last post was accepted, and whether
    that is longer ago than the field's plan allows (`stale`; never without an active plan)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"codigo_nodo_maestro": "NM-001", "last_seen": "2025-10-23T10:15:02Z", "stale": False}]
        }
    )

    codigo_nodo_maestro: str
    last_seen: datetime
    stale: bool


class SensorRead(BaseModel):
    """A sensor (a secondary node's parameter) of a field: its newest reading's instant, and
    since when it is flagged silent for longer than its plan allows (`stale`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "nodo_codigo": "N1",
                    "parametro": "humedad_suelo",
                    "last_seen": "2025-10-23T10:15:00Z",
                    "stale": False,
                    "stale_since": None,
                }
            ]
        },
    )

    nodo_codigo: str
    parametro: str
    last_seen: datetime
    stale: bool
    stale_since: datetime | None

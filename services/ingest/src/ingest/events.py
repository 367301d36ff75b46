"""What ingest publishes (readings) and the views of agro's events it keeps its read model from.

A consumed subject's model here names only the fields ingest reads; agro's `events.py` owns
the full one (`tests/test_event_contracts.py` checks the two agree).
"""

from datetime import date, datetime

from ingest.models import outbox_table
from shared.events import Event, Outbox

outbox = Outbox(outbox_table, source="ingest")


class SensorValue(Event):
    sensor: str
    valor: float
    unidad: str


class Lectura(Event):
    """A secondary node's sensor values at one instant (UTC), in canonical units."""

    nodo_codigo: str
    timestamp: datetime
    sensores: list[SensorValue]


class ReadingsReceived(Event):
    """A master node's post, accepted: brain stores each value (once per field, parameter,
    instant and secondary node) and evaluates the field's rules."""

    subject = "ingest.readings.received"
    parcela_id: int
    codigo_nodo_maestro: str
    lecturas: list[Lectura]


class NodeUpserted(Event):
    subject = "agro.node.upserted"
    nodo_id: int
    codigo: str
    parcela_id: int
    activo: bool
    token_hash: str | None


class NodeDeleted(Event):
    subject = "agro.node.deleted"
    nodo_id: int


class FieldDeleted(Event):
    subject = "agro.field.deleted"
    parcela_id: int


class SubscriptionChanged(Event):
    subject = "agro.subscription.changed"
    suscripcion_id: int
    parcela_id: int
    estado: str
    limite_lecturas_dia: int | None = None


class LimitReached(Event):
    """A field used up its plan's daily readings: posts are refused until `reinicia`.
    Published once per field and day (webhooks' `reading.limit_reached`)."""

    subject = "ingest.limit.reached"
    parcela_id: int
    dia: date
    limite: int
    reinicia: datetime


PUBLISHED: list[type[Event]] = [ReadingsReceived, LimitReached]

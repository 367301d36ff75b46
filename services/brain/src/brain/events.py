"""What brain publishes, and the views of other services' events it keeps read models from.

A consumed subject's model here names only the fields brain reads; the publisher's
`events.py` owns the full one (`tests/test_event_contracts.py` checks they agree).
"""

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from brain.models import outbox_table
from shared.events import Event, Outbox

outbox = Outbox(outbox_table, source="brain")

Severity = Literal["critical", "warning"]


# -- published ---------------------------------------------------------------------------------
class TaskSuggested(Event):
    """A reading broke a rule of its field's current stage: agro creates the `ia` task."""

    subject = "brain.task.suggested"
    parcela_id: int
    regla_id: int | None = None
    tipo: str = Field(default="recomendacion", max_length=100)
    descripcion: str = ""
    fecha_programada: datetime | None = None


class AlertRaised(Event):
    """A rule was broken (`tipo` "regla") or a sensor went silent (`tipo` "sensor.stale")."""

    subject = "brain.alert.raised"
    alerta_id: int
    parcela_id: int
    tipo: Literal["regla", "sensor.stale"]
    severity: Severity
    parametro: str
    mensaje: str
    regla_id: int | None = None
    nodo_codigo: str | None = None
    valor: float | None = None


class AlertCleared(Event):
    """A stale sensor reported again."""

    subject = "brain.alert.cleared"
    alerta_id: int
    parcela_id: int
    tipo: Literal["sensor.stale"]
    parametro: str
    nodo_codigo: str | None = None


PUBLISHED: list[type[Event]] = [TaskSuggested, AlertRaised, AlertCleared]


# -- consumed ----------------------------------------------------------------------------------
class SensorValue(Event):
    sensor: str
    valor: float
    unidad: str


class Lectura(Event):
    nodo_codigo: str
    timestamp: datetime
    sensores: list[SensorValue]


class ReadingsReceived(Event):
    subject = "ingest.readings.received"
    parcela_id: int
    codigo_nodo_maestro: str = ""  # ingest always sends it; brain's own tests' posts may not
    lecturas: list[Lectura]


class FieldUpserted(Event):
    subject = "agro.field.upserted"
    parcela_id: int
    usuario_id: int
    variedad_id: int | None
    fecha_siembra: date | None
    etapa_fijada_id: int | None


class FieldDeleted(Event):
    subject = "agro.field.deleted"
    parcela_id: int


class StageUpserted(Event):
    subject = "agro.stage.upserted"
    etapa_id: int
    variedad_id: int
    nombre: str
    orden: int
    duracion_dias: int
    inicio_dias: int | None = None  # absent from events agro published before it counted for us


class StageDeleted(Event):
    subject = "agro.stage.deleted"
    etapa_id: int


class RuleUpserted(Event):
    subject = "agro.rule.upserted"
    regla_id: int
    etapa_id: int
    parametro: str
    minimo: float
    maximo: float
    accion_si_menor: str
    accion_si_mayor: str
    activo: bool


class RuleDeleted(Event):
    subject = "agro.rule.deleted"
    regla_id: int


class SubscriptionChanged(Event):
    subject = "agro.subscription.changed"
    suscripcion_id: int
    parcela_id: int
    estado: str
    frecuencia_minutos: int | None = None
    retencion_lecturas_dias: int | None = None
    retencion_horaria_meses: int | None = None
    retencion_diaria_anios: int | None = None


class TaskCreated(Event):
    subject = "agro.task.created"
    tarea_id: int
    parcela_id: int
    origen: str
    regla_id: int | None


class TaskDeleted(Event):
    subject = "agro.task.deleted"
    tarea_id: int
    parcela_id: int
    origen: str
    regla_id: int | None


class TaskDecided(Event):
    subject = "agro.task.decided"
    tarea_id: int
    parcela_id: int
    origen: str
    decision: str
    regla_id: int | None

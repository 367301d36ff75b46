"""What agro tells the other services, through its outbox: one model per subject.

ingest keeps node credentials and plan limits from these; brain keeps fields, stages and
rules. Every change those read models depend on is published, cascades included, and no
payload carries a value that ages by itself: consumers look a field's current stage up from
`fecha_siembra`, the pinned `etapa_id` and the stages' `inicio_dias` (agro's counting, published).
"""

from datetime import date, datetime

from pydantic import Field

from agro.models import outbox_table
from shared.events import Event, Outbox

outbox = Outbox(outbox_table, source="agro")


class FieldUpserted(Event):
    """A field was created or changed (also when a deleted stage unpinned it)."""

    subject = "agro.field.upserted"
    parcela_id: int
    usuario_id: int
    variedad_id: int | None
    fecha_siembra: date | None
    etapa_fijada_id: int | None = Field(description="A stage pinned by hand; else derive it from the sowing date")


class FieldDeleted(Event):
    """A field was deleted; its nodes and subscriptions were deleted with it (published too)."""

    subject = "agro.field.deleted"
    parcela_id: int


class StageUpserted(Event):
    """A growth stage of a variety was created or changed (platform-wide catalogue).

    Also published, unchanged but for `inicio_dias`, for every other stage of the variety whose
    start day moved when one of them was created, changed or deleted: brain picks the stage
    whose rules apply to a reading from these start days, so they never go stale.
    """

    subject = "agro.stage.upserted"
    etapa_id: int
    variedad_id: int
    nombre: str
    orden: int
    duracion_dias: int
    inicio_dias: int | None = Field(
        default=None,
        description="Days after sowing on which the stage starts (the earlier stages' duracion_dias, in orden). "
        "Always sent by agro now; absent from events published before it was added.",
    )


class StageDeleted(Event):
    """A stage was deleted; its rules were deleted with it (published too)."""

    subject = "agro.stage.deleted"
    etapa_id: int


class RuleUpserted(Event):
    """A stage's rule was created or changed: brain evaluates readings against it."""

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
    """A rule was deleted (by itself, or with its stage)."""

    subject = "agro.rule.deleted"
    regla_id: int


class SubscriptionChanged(Event):
    """A field's plan subscription was created, changed or deleted (`estado` "eliminado"),
    or its plan's limits changed: ingest enforces `limite_lecturas_dia`; brain keeps the
    field's readings for the plan's `retencion_*` (none: "eliminado", or sent before them)."""

    subject = "agro.subscription.changed"
    suscripcion_id: int
    parcela_id: int
    estado: str
    plan_id: int | None = None
    limite_lecturas_dia: int | None = None
    frecuencia_minutos: int | None = None
    retencion_lecturas_dias: int | None = None
    retencion_horaria_meses: int | None = None
    retencion_diaria_anios: int | None = None


class NodeUpserted(Event):
    """A master node was registered or changed; `token_hash` is the SHA-256 of its token
    (null once revoked): ingest authenticates nodes with it."""

    subject = "agro.node.upserted"
    nodo_id: int
    codigo: str
    parcela_id: int
    activo: bool
    token_hash: str | None


class NodeDeleted(Event):
    """A master node was deleted (by itself, or with its field): its token stops working."""

    subject = "agro.node.deleted"
    nodo_id: int


class TaskCreated(Event):
    """A task was created, by hand or from brain's suggestion: brain's KPIs."""

    subject = "agro.task.created"
    tarea_id: int
    parcela_id: int
    origen: str
    regla_id: int | None


class SuggestedTaskCreated(Event):
    """Brain's suggestion became an `ia` task (after `agro.task.created`): webhooks' `task.suggested`.

    brain's `brain.task.suggested` is published before the task exists; this one carries the
    task's id, and keeps every field of brain's suggestion (as the task stored them).
    """

    subject = "agro.task.suggested"
    tarea_id: int
    parcela_id: int
    regla_id: int | None
    tipo: str
    descripcion: str
    fecha_programada: datetime | None


class TaskDeleted(Event):
    """A task was deleted (soft): an `ia` suggestion deleted undecided is no longer open."""

    subject = "agro.task.deleted"
    tarea_id: int
    parcela_id: int
    origen: str
    regla_id: int | None


class TaskDecided(Event):
    """A farmer accepted or rejected a task: brain's KPIs."""

    subject = "agro.task.decided"
    tarea_id: int
    parcela_id: int
    origen: str
    decision: str
    regla_id: int | None


class TaskSuggested(Event):
    """Brain suggests a task for a field after a rule violation.

    Consumed here: brain's `events.py` owns the model; this view names what agro reads.
    """

    subject = "brain.task.suggested"
    parcela_id: int
    regla_id: int | None = None
    tipo: str = Field(default="recomendacion", max_length=100)
    descripcion: str = ""
    fecha_programada: datetime | None = None


PUBLISHED: list[type[Event]] = [
    FieldUpserted,
    FieldDeleted,
    StageUpserted,
    StageDeleted,
    RuleUpserted,
    RuleDeleted,
    SubscriptionChanged,
    NodeUpserted,
    NodeDeleted,
    TaskCreated,
    SuggestedTaskCreated,
    TaskDeleted,
    TaskDecided,
]

"""brain's tables, in schema `brain`.

Read models of agro (fields, stages, rules, subscriptions, tasks) carry `version`, the
`occurred_at` of the event that last wrote them: a redelivered older event changes nothing
and a deleted row stays a tombstone. Readings are keyed by what they are (field, parameter,
instant, node), which makes storing them idempotent; `hourly` and `daily` hold the running
aggregates the history API reads. `readings` is partitioned by UTC day (`brain.retention`).
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import TenantId, make_metadata
from shared.events import messaging_tables
from shared.repository import ReadModel

SCHEMA = "brain"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Field(ReadModel, Base):
    __tablename__ = "fields"

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    usuario_id: Mapped[int] = mapped_column(BigInteger)
    variedad_id: Mapped[int | None] = mapped_column(BigInteger)
    fecha_siembra: Mapped[date | None] = mapped_column(Date)
    etapa_fijada_id: Mapped[int | None] = mapped_column(BigInteger)


class Stage(ReadModel, Base):
    __tablename__ = "stages"

    etapa_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    variedad_id: Mapped[int] = mapped_column(BigInteger, index=True)
    nombre: Mapped[str] = mapped_column(String(100))
    orden: Mapped[int] = mapped_column(Integer)
    duracion_dias: Mapped[int] = mapped_column(Integer)
    # Days after sowing on which the stage starts, as agro published it (`inicio_dias`). Null
    # only for a stage first seen in an event from before agro published it.
    inicio_dias: Mapped[int | None] = mapped_column(Integer)

    @property
    def id(self) -> int:
        return self.etapa_id


class Rule(ReadModel, Base):
    __tablename__ = "rules"

    regla_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    etapa_id: Mapped[int] = mapped_column(BigInteger, index=True)
    parametro: Mapped[str] = mapped_column(String(100))
    minimo: Mapped[float] = mapped_column(Float)
    maximo: Mapped[float] = mapped_column(Float)
    accion_si_menor: Mapped[str] = mapped_column(Text)
    accion_si_mayor: Mapped[str] = mapped_column(Text)
    activo: Mapped[bool] = mapped_column(Boolean)


class Subscription(ReadModel, Base):
    __tablename__ = "subscriptions"

    suscripcion_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    parcela_id: Mapped[int] = mapped_column(BigInteger, index=True)
    estado: Mapped[str] = mapped_column(String(20))
    frecuencia_minutos: Mapped[int | None] = mapped_column(Integer)
    # The plan's retention (agro's `retencion_*`); null: sent before agro published it.
    retencion_lecturas_dias: Mapped[int | None] = mapped_column(Integer)
    retencion_horaria_meses: Mapped[int | None] = mapped_column(Integer)
    retencion_diaria_anios: Mapped[int | None] = mapped_column(Integer)


class Reading(Base):
    """One sensor value. The key serves range scans of one field's parameter in time order.

    A table partitioned by range of `t`, one partition per UTC day (`readings_pYYYYMMDD`),
    made and dropped by `brain.retention`, never by a migration.
    """

    __tablename__ = "readings"
    __table_args__ = ({"postgresql_partition_by": "RANGE (t)"},)

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    parametro: Mapped[str] = mapped_column(String(100), primary_key=True)
    t: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    nodo_codigo: Mapped[str] = mapped_column(String(100), primary_key=True)
    valor: Mapped[float] = mapped_column(Float)
    unidad: Mapped[str] = mapped_column(String(20))
    tenant_id: Mapped[int] = mapped_column(TenantId)
    # When brain committed it (the batch's transaction time): lag from node to storage.
    stored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Hourly(Base):
    """Running aggregates per field, parameter and UTC hour: the history API's source."""

    __tablename__ = "hourly"

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    parametro: Mapped[str] = mapped_column(String(100), primary_key=True)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Float)
    lo: Mapped[float] = mapped_column(Float)
    hi: Mapped[float] = mapped_column(Float)


class Daily(Base):
    """Running aggregates per field, parameter and UTC day: what is left once hours are pruned."""

    __tablename__ = "daily"

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    parametro: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)  # its UTC midnight
    n: Mapped[int] = mapped_column(BigInteger)
    total: Mapped[float] = mapped_column(Float)
    lo: Mapped[float] = mapped_column(Float)
    hi: Mapped[float] = mapped_column(Float)


class Sensor(Base):
    """When each sensor of a field last reported, and since when it is flagged stale."""

    __tablename__ = "sensors"
    # Every batch of readings rewrites `last_seen`: room on the page keeps the update HOT (migration 0005).
    __table_args__ = ({"postgresql_with": {"fillfactor": 50}},)

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    nodo_codigo: Mapped[str] = mapped_column(String(100), primary_key=True)
    parametro: Mapped[str] = mapped_column(String(100), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Set (to `last_seen` then) when flagged stale; cleared when a later reading arrives.
    stale_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NodeSeen(Base):
    """When each master node last posted (ingest's acceptance time), for the nodes' page."""

    __tablename__ = "nodes_seen"

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    codigo: Mapped[str] = mapped_column(String(100), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Suggestion(Base):
    """A task brain suggested; open until agro says it was decided or deleted."""

    __tablename__ = "suggestions"
    __table_args__ = (
        # One open suggestion per field and rule: a second violation while open suggests nothing.
        Index("uq_suggestions_open", "parcela_id", "regla_id", unique=True, postgresql_where=text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    parcela_id: Mapped[int] = mapped_column(BigInteger)
    regla_id: Mapped[int] = mapped_column(BigInteger)
    descripcion: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Alert(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_tenant_raised", "tenant_id", "raised_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    parcela_id: Mapped[int] = mapped_column(BigInteger)
    tipo: Mapped[str] = mapped_column(String(20))  # "regla" | "sensor.stale"
    severity: Mapped[str] = mapped_column(String(10))  # "critical" | "warning"
    regla_id: Mapped[int | None] = mapped_column(BigInteger)
    nodo_codigo: Mapped[str | None] = mapped_column(String(100))
    parametro: Mapped[str] = mapped_column(String(100))
    valor: Mapped[float | None] = mapped_column(Float)
    mensaje: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AlertAck(Base):
    """One acknowledgement of an alert: who, when and why (the trail ThingsBoard #6047 asks for).

    A trail, not a flag: acknowledging twice (a second farmer, a later note) adds a row.
    """

    __tablename__ = "alert_acks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    alert_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    usuario_id: Mapped[int] = mapped_column(BigInteger)
    nota: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Task(Base):
    """agro's tasks as far as the KPIs need them."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_parcela_created", "parcela_id", "created_at"),)

    tarea_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    parcela_id: Mapped[int] = mapped_column(BigInteger)
    origen: Mapped[str] = mapped_column(String(10))
    regla_id: Mapped[int | None] = mapped_column(BigInteger)
    decision: Mapped[str] = mapped_column(String(20), default="pendiente")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

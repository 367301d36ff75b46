"""agro's tables, all in schema `agro`.

The catalogue (crops, varieties, stages, rules) and the plans are the platform's reference
data, shared by every workspace and written by platform admins. Fields, subscriptions, nodes
and tasks belong to a workspace: each carries `tenant_id` and every query filters on it.
"""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import TenantId, make_metadata
from shared.events import messaging_tables

SCHEMA = "agro"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Timestamps:
    # Server-side defaults come back with the INSERT/UPDATE (RETURNING): no lazy load later.
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Crop(Base):
    __tablename__ = "crops"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(100), unique=True)
    descripcion: Mapped[str] = mapped_column(Text, default="")


class Variety(Base):
    __tablename__ = "varieties"
    __table_args__ = (UniqueConstraint("cultivo_id", "nombre"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    cultivo_id: Mapped[int] = mapped_column(ForeignKey(Crop.id), index=True)
    nombre: Mapped[str] = mapped_column(String(100))
    descripcion: Mapped[str] = mapped_column(Text, default="")


class Stage(Base):
    """A growth stage of a variety; `orden` and `duracion_dias` place it after sowing."""

    __tablename__ = "stages"
    __table_args__ = (CheckConstraint("duracion_dias > 0", name="positive_duration"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    variedad_id: Mapped[int] = mapped_column(ForeignKey(Variety.id), index=True)
    nombre: Mapped[str] = mapped_column(String(100))
    orden: Mapped[int] = mapped_column(Integer, default=1)
    duracion_dias: Mapped[int] = mapped_column(Integer, default=30)
    descripcion: Mapped[str] = mapped_column(Text, default="")


class Rule(Base):
    __tablename__ = "rules"
    __table_args__ = (CheckConstraint("minimo <= maximo", name="min_le_max"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    etapa_id: Mapped[int] = mapped_column(ForeignKey(Stage.id, ondelete="CASCADE"), index=True)
    parametro: Mapped[str] = mapped_column(String(100))
    minimo: Mapped[float] = mapped_column(Float)
    maximo: Mapped[float] = mapped_column(Float)
    accion_si_menor: Mapped[str] = mapped_column(String(200), default="")
    accion_si_mayor: Mapped[str] = mapped_column(String(200), default="")
    activo: Mapped[bool] = mapped_column(Boolean, default=True)


# A plan's retention defaults (brain keeps a field with no active plan for as long).
RAW_DAYS, HOURLY_MONTHS, DAILY_YEARS = 30, 12, 10


class Plan(Timestamps, Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(100), unique=True)
    descripcion: Mapped[str | None] = mapped_column(Text)
    frecuencia_minutos: Mapped[int | None] = mapped_column(Integer)
    veces_por_dia: Mapped[int] = mapped_column(Integer)
    horarios_por_defecto: Mapped[list[str]] = mapped_column(ARRAY(String(5)), default=list)
    limite_lecturas_dia: Mapped[int] = mapped_column(Integer)
    precio: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    # How long brain keeps a subscribed field's readings, per level (README "What is kept, and
    # for how long"): each reading, its hourly and its daily aggregates.
    retencion_lecturas_dias: Mapped[int] = mapped_column(Integer, server_default=text(str(RAW_DAYS)))
    retencion_horaria_meses: Mapped[int] = mapped_column(Integer, server_default=text(str(HOURLY_MONTHS)))
    retencion_diaria_anios: Mapped[int] = mapped_column(Integer, server_default=text(str(DAILY_YEARS)))


class Field(Timestamps, Base):
    """A parcela: owned by a user of a workspace, planted with a variety."""

    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    usuario_id: Mapped[int] = mapped_column(BigInteger, index=True)  # auth's user id
    nombre: Mapped[str] = mapped_column(String(150))
    ubicacion: Mapped[str] = mapped_column(String(255), default="")
    tamano_hectareas: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    coordenadas: Mapped[str] = mapped_column(String(100), default="")
    variedad_id: Mapped[int | None] = mapped_column(ForeignKey(Variety.id))
    fecha_siembra: Mapped[date | None] = mapped_column(Date)
    # Set explicitly to pin a stage; otherwise derived from the sowing date.
    etapa_id: Mapped[int | None] = mapped_column(ForeignKey(Stage.id, ondelete="SET NULL"))


class Subscription(Base):
    """ParcelaPlan: at most one `activo` per field, enforced by a partial unique index."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint("estado IN ('activo', 'suspendido', 'vencido')", name="estado"),
        Index("uq_subscriptions_one_active", "parcela_id", unique=True, postgresql_where=text("estado = 'activo'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    parcela_id: Mapped[int] = mapped_column(ForeignKey(Field.id, ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey(Plan.id))
    estado: Mapped[str] = mapped_column(String(20), default="activo")
    fecha_inicio: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    fecha_fin: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MasterNode(Timestamps, Base):
    __tablename__ = "master_nodes"
    __table_args__ = (UniqueConstraint("tenant_id", "codigo"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    parcela_id: Mapped[int] = mapped_column(ForeignKey(Field.id, ondelete="CASCADE"), index=True)
    codigo: Mapped[str] = mapped_column(String(50))
    ubicacion: Mapped[str] = mapped_column(String(255), default="")
    # SHA-256 of the node token: the token itself is shown once and never stored.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    activo: Mapped[bool] = mapped_column(Boolean, default=True)


class SecondaryNode(Timestamps, Base):
    __tablename__ = "secondary_nodes"
    __table_args__ = (UniqueConstraint("nodo_maestro_id", "codigo"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    nodo_maestro_id: Mapped[int] = mapped_column(ForeignKey(MasterNode.id, ondelete="CASCADE"), index=True)
    codigo: Mapped[str] = mapped_column(String(50))
    tipo: Mapped[str] = mapped_column(String(50), default="sensor")
    descripcion: Mapped[str] = mapped_column(Text, default="")


class Task(Timestamps, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint("estado IN ('pendiente', 'en_progreso', 'completada', 'cancelada')", name="estado"),
        CheckConstraint("origen IN ('manual', 'ia')", name="origen"),
        CheckConstraint("decision IN ('pendiente', 'aceptada', 'rechazada')", name="decision"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    parcela_id: Mapped[int] = mapped_column(ForeignKey(Field.id, ondelete="CASCADE"), index=True)
    tipo: Mapped[str] = mapped_column(String(100))
    descripcion: Mapped[str] = mapped_column(Text, default="")
    fecha_programada: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    estado: Mapped[str] = mapped_column(String(20), default="pendiente")
    origen: Mapped[str] = mapped_column(String(10), default="manual")
    decision: Mapped[str] = mapped_column(String(20), default="pendiente")
    # For `ia` tasks: the rule that fired, so an open identical suggestion is not repeated.
    regla_id: Mapped[int | None] = mapped_column(BigInteger)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

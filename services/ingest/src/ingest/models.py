"""ingest's tables, in schema `ingest`: read models of agro's nodes and plans, and day counts.

Each read-model row keeps `version` (the `occurred_at` of the event that last wrote it), so an
event redelivered after a newer one changes nothing, and a deleted node stays deleted.
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, Index, Integer, String, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import TenantId, make_metadata
from shared.events import messaging_tables
from shared.repository import ReadModel

SCHEMA = "ingest"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Node(ReadModel, Base):
    """A master node as agro last published it; only the SHA-256 of its token is known here."""

    __tablename__ = "nodes"
    __table_args__ = (Index("ix_nodes_token_hash", "token_hash", postgresql_where=text("token_hash IS NOT NULL")),)

    nodo_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    parcela_id: Mapped[int] = mapped_column(BigInteger, index=True)
    codigo: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str | None] = mapped_column(String(64))
    activo: Mapped[bool] = mapped_column(Boolean)


class Subscription(ReadModel, Base):
    """A field's plan subscription: its daily reading limit applies while `estado` is activo.

    `deleted` is never set: "eliminado" is an estado."""

    __tablename__ = "subscriptions"

    suscripcion_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    parcela_id: Mapped[int] = mapped_column(BigInteger, index=True)
    estado: Mapped[str] = mapped_column(String(20))
    limite_lecturas_dia: Mapped[int | None] = mapped_column(Integer)


class DayCount(Base):
    """Readings (master-node transmissions) accepted per field and local day."""

    __tablename__ = "day_counts"

    parcela_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    # When the limit was first hit that day: `ingest.limit.reached` is published once.
    limit_reached_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

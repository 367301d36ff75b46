"""webhooks' tables, in schema `webhooks`: webhooks, their deliveries, and the metrics' read models."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import TenantId, make_metadata
from shared.events import messaging_tables
from shared.repository import ReadModel

SCHEMA = "webhooks"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(ARRAY(String(64)))
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)  # shared.crypto, never returned
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Since when every delivery has failed (None after a success); a day of it disables the webhook.
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


# A transaction that adds deliveries notifies this channel (`shared.events.wakeup.notify`):
# every replica's sender listens, and sleeps until told or until its next retry falls due.
DUE_CHANNEL = "webhooks_deliveries"


class Delivery(Base):
    """One event for one webhook: sent until the receiver answers 2xx or the retry window ends."""

    __tablename__ = "deliveries"
    __table_args__ = (
        Index("uq_deliveries_event", "webhook_id", "event_id", unique=True),
        Index("ix_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey(Webhook.id, ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))  # webhook-id: msg_<event_id>
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    # The retention job's cut (WEBHOOKS_DELIVERY_RETENTION_SECONDS).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The event's trace context: each attempt's span continues it (shared.observability.tracing).
    traceparent: Mapped[str | None] = mapped_column(String(55))


# -- the metrics' read models, fed by events --------------------------------------------------
class AlertSeen(Base):
    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_tenant_raised", "tenant_id", "raised_at"),)

    alerta_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    severity: Mapped[str] = mapped_column(String(10))
    raised_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Asset(ReadModel, Base):
    """What a workspace runs, by kind ("parcela", "nodo"); tombstoned when deleted."""

    __tablename__ = "assets"
    __table_args__ = (Index("ix_assets_tenant", "tenant_id", "kind"),)

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    asset_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(TenantId)


class AgentCount(Base):
    """The AI agent's work per workspace: messages (each answer and its question), tools run."""

    __tablename__ = "agent_counts"

    tenant_id: Mapped[int] = mapped_column(TenantId, primary_key=True)
    messages: Mapped[int] = mapped_column(BigInteger, default=0)
    tools: Mapped[int] = mapped_column(BigInteger, default=0)

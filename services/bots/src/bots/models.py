"""bots' tables, in schema `bots`: integrations, bots and their models, conversations and
messages, the workspace's AI settings and the token usage ledger."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import TenantId, make_metadata
from shared.events import messaging_tables

SCHEMA = "bots"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


def _updated() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())


class Integration(Base):
    """A workspace's credentials for one provider (004's `/api/ai/config/`)."""

    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    nombre: Mapped[str] = mapped_column(String(100))
    provider: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str | None] = mapped_column(Text)
    api_key_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # shared.crypto, never returned
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Bot(Base):
    __tablename__ = "bots"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    owner_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(Text)
    system_prompt: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    models: Mapped[list["BotModel"]] = relationship(
        order_by="BotModel.id", cascade="all, delete-orphan", lazy="selectin"
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class BotModel(Base):
    """One model of a bot's toolbox: the task type it answers, tried in the order added."""

    __tablename__ = "bot_models"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    bot_id: Mapped[int] = mapped_column(ForeignKey(Bot.id, ondelete="CASCADE"), index=True)
    provider: Mapped[str] = mapped_column(String(20))
    model_id: Mapped[str] = mapped_column(String(200))
    task_type: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = _created()


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_owner", "tenant_id", "owner_id", "updated_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    owner_id: Mapped[int] = mapped_column(BigInteger)
    bot_id: Mapped[int | None] = mapped_column(ForeignKey(Bot.id, ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_conversation", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey(Conversation.id, ondelete="CASCADE"))
    # The answer's stream (SSE ids are "<turn_id>:<n>"): set on assistant messages.
    turn_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    tool_calls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    # streaming | complete | interrupted (the client left, or the provider broke off) | failed
    status: Mapped[str] = mapped_column(String(12), default="complete")
    model: Mapped[str | None] = mapped_column(String(220))
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = _created()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class WorkspaceConfig(Base):
    """002's `/api/config` and the monthly token budget, one row per workspace."""

    __tablename__ = "workspace_configs"

    tenant_id: Mapped[int] = mapped_column(TenantId, primary_key=True)
    llm_provider: Mapped[str] = mapped_column(String(20))
    llm_model: Mapped[str] = mapped_column(String(200))
    autonomy_level: Mapped[str] = mapped_column(String(10))
    cloud_providers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    monthly_token_budget: Mapped[int | None] = mapped_column(BigInteger)
    updated_at: Mapped[datetime] = _updated()


class Usage(Base):
    """Tokens one answer used, per workspace, bot and model: the budget and `/api/ai/usage/`."""

    __tablename__ = "usage"
    __table_args__ = (Index("ix_usage_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    bot_id: Mapped[int | None] = mapped_column(BigInteger)
    provider: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(200))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = _created()


class LearnedApi(Base):
    """An API learned from its OpenAPI/Swagger document (002's `/api/learned-apis`): each
    operation is a tool of the workspace; its credential is sealed like a provider's key."""

    __tablename__ = "learned_apis"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)  # the document's URL, or "inline"
    base_url: Mapped[str] = mapped_column(Text)
    credential_header: Mapped[str | None] = mapped_column(String(100))
    credential_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    operations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    endpoints: Mapped[int] = mapped_column(Integer)
    learned_at: Mapped[datetime] = _created()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012

"""bots' tables, in schema `bots`: integrations, bots and their models, conversations and
messages, the workspace's AI settings, the token usage ledger, learned APIs, and knowledge
bases with their documents and chunks."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR, UUID
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
    # As an agent (000's `/api/v1/agents/`): the tools it may call (None: every tool of the
    # workspace) and the knowledge bases it answers from (kept as ids: read with the bot, no
    # extra query before the first token; a deleted base is removed from them).
    tool_names: Mapped[list[str] | None] = mapped_column(ARRAY(String(120)))
    knowledge_base_ids: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list)
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
    __table_args__ = (
        Index("ix_messages_conversation", "conversation_id", "id"),
        # The sweeper's look at the answers still streaming (a handful), not at every message.
        Index("ix_bots_messages_owner", "owner", postgresql_where=text("status = 'streaming'")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey(Conversation.id, ondelete="CASCADE"))
    # The answer's stream (SSE ids are "<turn_id>:<n>"): set on assistant messages.
    turn_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True), unique=True)
    role: Mapped[str] = mapped_column(String(10))  # user | assistant
    content: Mapped[str] = mapped_column(Text)
    tool_calls: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    # The knowledge chunks an answer drew from (document, chunk, offsets).
    citations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    # streaming | complete | interrupted (the client left, or the provider broke off) | failed
    status: Mapped[str] = mapped_column(String(12), default="complete")
    # The bots process streaming the answer (its `Streamer` lease): a dead one's answers are
    # closed as interrupted by the sweeper (`bots.maintenance`).
    owner: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
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
    # `at` alone: the retention's deletes (`bots.maintenance`) pick the oldest rows of every workspace.
    __table_args__ = (Index("ix_usage_tenant_at", "tenant_id", "at"), Index("ix_bots_usage_at", "at"))

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    bot_id: Mapped[int | None] = mapped_column(BigInteger)
    provider: Mapped[str] = mapped_column(String(20))
    model: Mapped[str] = mapped_column(String(200))
    input_tokens: Mapped[int] = mapped_column(Integer)
    output_tokens: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = _created()


class Streamer(Base):
    """A bots process that streams answers, alive while it renews `renewed_at` (`bots.maintenance`)."""

    __tablename__ = "streamers"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    renewed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


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


class KnowledgeBase(Base):
    """000's `/api/v1/knowledge/`: documents searched together, in one text-search language."""

    __tablename__ = "knowledge_bases"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # A PostgreSQL text-search configuration: spanish, english, portuguese... or simple.
    language: Mapped[str] = mapped_column(String(20))
    # An OpenAI-compatible embeddings model ("openai:text-embedding-3-small", "ollama:nomic-embed-text"):
    # chunks then also get a vector (pgvector, column `chunks.embedding`, outside this mapping).
    embedding_model: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Document(Base):
    """000's `/api/v1/documents/`: an uploaded file's text, cut into chunks."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    knowledge_base_id: Mapped[int] = mapped_column(ForeignKey(KnowledgeBase.id, ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(10))  # text | markdown | html | pdf
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # the extracted text chunk offsets point into
    chunk_count: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime] = _updated()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Chunk(Base):
    """A piece of a document, indexed for full-text search in its base's language."""

    __tablename__ = "chunks"
    __table_args__ = (
        Index("ix_chunks_tsv", "tsv", postgresql_using="gin"),
        Index("ix_chunks_document", "document_id", "position"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    knowledge_base_id: Mapped[int] = mapped_column(BigInteger, index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey(Document.id, ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    start_offset: Mapped[int] = mapped_column(Integer)
    end_offset: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    tsv: Mapped[Any] = mapped_column(TSVECTOR)

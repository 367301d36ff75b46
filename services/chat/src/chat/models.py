"""chat's tables, in schema `chat`: the workspaces and their people (read models of auth's
tenants and users) and agents, guest sessions, chat users, rooms, messages, notifications and desk settings."""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import TenantId, make_metadata
from shared.events import messaging_tables

SCHEMA = "chat"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class Person(Base):
    """A user of the platform as auth announced them (names for agents' answers)."""

    __tablename__ = "people"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    username: Mapped[str] = mapped_column(String(150))
    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    role: Mapped[str] = mapped_column(String(50))
    # The name guests may see (auth's profile names); never the login name or email.
    display_name: Mapped[str | None] = mapped_column(String(301))
    # `occurred_at` of the event that set `display_name`: an older one arriving later loses.
    display_name_version: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Removed from their workspace (auth.user.removed): no longer an agent.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Workspace(Base):
    """A workspace as auth announced it (`auth.tenant.upserted|deactivated`): guests reach only
    the desks of known, active ones."""

    __tablename__ = "workspaces"

    tenant_id: Mapped[int] = mapped_column(TenantId, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean)
    # `occurred_at` of the event that wrote the row: an older one arriving later changes nothing.
    version: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Agent(Base):
    """A support agent: a user who may answer chats (`chat:actualizar`), with availability and capacity."""

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    is_available: Mapped[bool] = mapped_column(Boolean, default=False)
    # Kept equal to the count of the agent's active rooms, under the agent's row lock.
    current_active_chats: Mapped[int] = mapped_column(Integer, default=0)
    max_concurrent_chats: Mapped[int] = mapped_column(Integer)
    # Open WebSockets over every replica: availability goes false when the last one closes.
    connections: Mapped[int] = mapped_column(Integer, default=0)
    # Removed from the workspace (auth.user.removed): never available again, gets no chat.
    removed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


# A workspace with no `desk_settings` row keeps notifications this long (the column's default).
NOTIFICATION_RETENTION_DAYS = 90


class DeskSettings(Base):
    """A workspace's desk settings (003's auto-assignment, and what is kept how long)."""

    __tablename__ = "desk_settings"

    tenant_id: Mapped[int] = mapped_column(TenantId, primary_key=True)
    # New chats go to the least busy available agent; waiting chats drain as capacity frees.
    auto_assign: Mapped[bool] = mapped_column(Boolean, default=False)
    # Notifications older than this are purged (chat.retention).
    notification_retention_days: Mapped[int] = mapped_column(Integer, server_default=str(NOTIFICATION_RETENTION_DAYS))
    # A resolved or closed room is purged (messages, notifications, the guest once no room of
    # theirs is left) this long after its last change; null keeps transcripts forever.
    transcript_retention_days: Mapped[int | None] = mapped_column(Integer)


class GuestSession(Base):
    """A guest between start_chat and complete_chat."""

    __tablename__ = "guest_sessions"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    initial_message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()
    # Purged once past (chat.retention): it holds the guest's first message.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    room_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class ChatUser(Base):
    """A guest's contact details."""

    __tablename__ = "chat_users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone_number: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = _now()


class Room(Base):
    """A chat: waiting -> active -> resolved -> closed."""

    __tablename__ = "rooms"
    __table_args__ = (
        Index("ix_rooms_tenant_status", "tenant_id", "status", "created_at"),
        Index("ix_rooms_agent_status", "agent_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    chat_user_id: Mapped[int] = mapped_column(ForeignKey(ChatUser.id, ondelete="CASCADE"))
    initial_message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    priority: Mapped[str] = mapped_column(String(6), default="medium")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey(Agent.id, ondelete="SET NULL"))
    # SHA-256 of the guest's token: the room id alone is no credential.
    guest_token_hash: Mapped[str | None] = mapped_column(String(64))
    # Who opened it (for complete_chat's hourly limit): the client's address.
    address: Mapped[str] = mapped_column(String(64), default="")
    # The guest token works until then (CHAT_GUEST_TOKEN_SECONDS after complete_chat); the
    # retention job then drops its hash.
    guest_token_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    created_at: Mapped[datetime] = _now()
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_room", "room_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(Room.id, ondelete="CASCADE"))
    sender_type: Mapped[str] = mapped_column(String(6))  # user | agent | system
    agent_id: Mapped[int | None] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(Text)
    message_type: Mapped[str] = mapped_column(String(6), default="text")  # text | system
    attachment: Mapped[str | None] = mapped_column(Text)
    # Read by the other side (the agent for a guest's message, the guest for an agent's).
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012


class Notification(Base):
    """For an agent (`agent_id`) or for a room's guest (`agent_id` null)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_agent", "agent_id", "is_read"),
        Index("ix_notifications_room", "room_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    tenant_id: Mapped[int] = mapped_column(TenantId)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey(Agent.id, ondelete="CASCADE"))
    room_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey(Room.id, ondelete="CASCADE"))
    notification_type: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    is_read: Mapped[bool] = mapped_column(Boolean, default=False)
    # The retention job's cut (chat.retention).
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)

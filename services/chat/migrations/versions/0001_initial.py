"""the support desk: people, agents, desk settings, guest sessions, chat users, rooms,
messages, notifications, outbox and inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "chat"
NOW = sa.text("now()")


def _at(name: str, *, nullable: bool = False, default: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=NOW if default else None, nullable=nullable)


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "people",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(150), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("first_name", sa.String(150), nullable=False),
        sa.Column("last_name", sa.String(150), nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_people")),
        schema=S,
    )
    op.create_table(
        "agents",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("is_available", sa.Boolean(), nullable=False),
        sa.Column("current_active_chats", sa.Integer(), nullable=False),
        sa.Column("max_concurrent_chats", sa.Integer(), nullable=False),
        sa.Column("connections", sa.Integer(), nullable=False),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("user_id", name=op.f("uq_agents_user_id")),
        schema=S,
    )
    op.create_index(op.f("ix_chat_agents_tenant_id"), "agents", ["tenant_id"], schema=S)
    op.create_table(
        "desk_settings",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("auto_assign", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_desk_settings")),
        schema=S,
    )
    op.create_table(
        "guest_sessions",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("initial_message", sa.Text(), nullable=False),
        _at("created_at"),
        _at("expires_at", default=False),
        sa.Column("room_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guest_sessions")),
        schema=S,
    )
    op.create_table(
        "chat_users",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("phone_number", sa.String(32), nullable=False),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_users")),
        schema=S,
    )
    op.create_index(op.f("ix_chat_chat_users_tenant_id"), "chat_users", ["tenant_id"], schema=S)
    op.create_table(
        "rooms",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_user_id", sa.BigInteger(), nullable=False),
        sa.Column("initial_message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("priority", sa.String(6), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("guest_token_hash", sa.String(64), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        _at("created_at"),
        _at("updated_at"),
        sa.ForeignKeyConstraint(
            ["chat_user_id"], [f"{S}.chat_users.id"], ondelete="CASCADE", name=op.f("fk_rooms_chat_user_id_chat_users")
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"], [f"{S}.agents.id"], ondelete="SET NULL", name=op.f("fk_rooms_agent_id_agents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rooms")),
        schema=S,
    )
    op.create_index("ix_rooms_tenant_status", "rooms", ["tenant_id", "status", "created_at"], schema=S)
    op.create_index("ix_rooms_agent_status", "rooms", ["agent_id", "status"], schema=S)
    op.create_table(
        "messages",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("room_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("sender_type", sa.String(6), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("message_type", sa.String(6), nullable=False),
        sa.Column("attachment", sa.Text(), nullable=True),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        _at("read_at", nullable=True, default=False),
        _at("created_at"),
        sa.ForeignKeyConstraint(
            ["room_id"], [f"{S}.rooms.id"], ondelete="CASCADE", name=op.f("fk_messages_room_id_rooms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        schema=S,
    )
    op.create_index("ix_messages_room", "messages", ["room_id", "created_at"], schema=S)
    op.create_table(
        "notifications",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=True),
        sa.Column("room_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("notification_type", sa.String(20), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("is_read", sa.Boolean(), nullable=False),
        _at("created_at"),
        sa.ForeignKeyConstraint(
            ["agent_id"], [f"{S}.agents.id"], ondelete="CASCADE", name=op.f("fk_notifications_agent_id_agents")
        ),
        sa.ForeignKeyConstraint(
            ["room_id"], [f"{S}.rooms.id"], ondelete="CASCADE", name=op.f("fk_notifications_room_id_rooms")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        schema=S,
    )
    op.create_index("ix_notifications_agent", "notifications", ["agent_id", "is_read"], schema=S)
    op.create_index("ix_notifications_room", "notifications", ["room_id"], schema=S)


def downgrade() -> None:
    for table in ("notifications", "messages", "rooms", "chat_users", "guest_sessions", "desk_settings", "agents",
                  "people"):  # fmt: skip
        op.drop_table(table, schema=S)
    drop_messaging_tables()

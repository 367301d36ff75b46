"""integrations, bots and their models, conversations and messages, workspace AI settings,
usage, outbox and inbox

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

S = "bots"


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "bots",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("system_prompt", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bots")),
        schema=S,
    )
    op.create_index(op.f("ix_bots_bots_owner_id"), "bots", ["owner_id"], unique=False, schema=S)
    op.create_index(op.f("ix_bots_bots_tenant_id"), "bots", ["tenant_id"], unique=False, schema=S)
    op.create_table(
        "integrations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("nombre", sa.String(length=100), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=True),
        sa.Column("api_key_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_integrations")),
        schema=S,
    )
    op.create_index(op.f("ix_bots_integrations_tenant_id"), "integrations", ["tenant_id"], unique=False, schema=S)
    op.create_table(
        "usage",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=True),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_usage")),
        schema=S,
    )
    op.create_index("ix_usage_tenant_at", "usage", ["tenant_id", "at"], unique=False, schema=S)
    op.create_table(
        "workspace_configs",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("llm_provider", sa.String(length=20), nullable=False),
        sa.Column("llm_model", sa.String(length=200), nullable=False),
        sa.Column("autonomy_level", sa.String(length=10), nullable=False),
        sa.Column("cloud_providers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("monthly_token_budget", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_workspace_configs")),
        schema=S,
    )
    op.create_table(
        "bot_models",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("model_id", sa.String(length=200), nullable=False),
        sa.Column("task_type", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["bot_id"], ["bots.bots.id"], name=op.f("fk_bot_models_bot_id_bots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bot_models")),
        schema=S,
    )
    op.create_index(op.f("ix_bots_bot_models_bot_id"), "bot_models", ["bot_id"], unique=False, schema=S)
    op.create_table(
        "conversations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["bot_id"], ["bots.bots.id"], name=op.f("fk_conversations_bot_id_bots"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
        schema=S,
    )
    op.create_index(
        "ix_conversations_owner", "conversations", ["tenant_id", "owner_id", "updated_at"], unique=False, schema=S
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("turn_id", sa.UUID(), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tool_calls", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("model", sa.String(length=220), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["bots.conversations.id"],
            name=op.f("fk_messages_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint("turn_id", name=op.f("uq_messages_turn_id")),
        schema=S,
    )
    op.create_index("ix_messages_conversation", "messages", ["conversation_id", "id"], unique=False, schema=S)


def downgrade() -> None:
    for table in ("usage", "workspace_configs", "messages", "conversations", "bot_models", "bots", "integrations"):
        op.drop_table(table, schema=S)
    drop_messaging_tables()

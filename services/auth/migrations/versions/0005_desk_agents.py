"""desk agents: a read model of chat's agents for 003's login answer

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "auth"


def upgrade() -> None:
    op.create_table(
        "desk_agents",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("agent_id", sa.BigInteger(), nullable=False),
        sa.Column("is_available", sa.Boolean(), nullable=False),
        sa.Column("current_active_chats", sa.Integer(), nullable=False),
        sa.Column("max_concurrent_chats", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_desk_agents")),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("desk_agents", schema=S)

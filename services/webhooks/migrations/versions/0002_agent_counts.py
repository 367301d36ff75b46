"""the agent's message counts per workspace (from bots.answer.completed)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "webhooks"


def upgrade() -> None:
    op.create_table(
        "agent_counts",
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("messages", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_agent_counts")),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("agent_counts", schema=S)

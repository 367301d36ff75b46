"""tools run per workspace (from bots.tool.executed)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "webhooks"


def upgrade() -> None:
    op.add_column("agent_counts", sa.Column("tools", sa.BigInteger(), server_default="0", nullable=False), schema=S)


def downgrade() -> None:
    op.drop_column("agent_counts", "tools", schema=S)

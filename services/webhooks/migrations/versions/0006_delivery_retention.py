"""deliveries: an index on created_at for the retention job

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S = "webhooks"


def upgrade() -> None:
    op.create_index(op.f("ix_webhooks_deliveries_created_at"), "deliveries", ["created_at"], schema=S)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhooks_deliveries_created_at"), "deliveries", schema=S)

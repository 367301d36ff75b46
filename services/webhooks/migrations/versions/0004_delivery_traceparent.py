"""the trace context of the event a delivery sends (W3C traceparent; null when not tracing)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "webhooks"


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("traceparent", sa.String(55)), schema=S)


def downgrade() -> None:
    op.drop_column("deliveries", "traceparent", schema=S)

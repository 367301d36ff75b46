"""answers' owners and the streamers' leases (the sweeper of answers left streaming), and an
index on usage.at (its retention)

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "bots"


def upgrade() -> None:
    op.add_column("messages", sa.Column("owner", postgresql.UUID(as_uuid=True), nullable=True), schema=S)
    op.create_index(
        "ix_bots_messages_owner", "messages", ["owner"], schema=S, postgresql_where=sa.text("status = 'streaming'")
    )
    op.create_table(
        "streamers",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_streamers")),
        schema=S,
    )
    op.create_index("ix_bots_usage_at", "usage", ["at"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_bots_usage_at", table_name="usage", schema=S)
    op.drop_table("streamers", schema=S)
    op.drop_index("ix_bots_messages_owner", table_name="messages", schema=S)
    op.drop_column("messages", "owner", schema=S)

"""workspaces (read model of auth's tenants); people's display name and removal; agents' removal

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "chat"


def upgrade() -> None:
    op.create_table(
        "workspaces",
        sa.Column("tenant_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_workspaces")),
        schema=S,
    )
    op.add_column("people", sa.Column("display_name", sa.String(301), nullable=True), schema=S)
    op.add_column("people", sa.Column("display_name_version", sa.DateTime(timezone=True), nullable=True), schema=S)
    op.add_column("people", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True), schema=S)
    op.add_column(
        "agents", sa.Column("removed", sa.Boolean(), server_default=sa.text("false"), nullable=False), schema=S
    )


def downgrade() -> None:
    op.drop_column("agents", "removed", schema=S)
    op.drop_column("people", "removed_at", schema=S)
    op.drop_column("people", "display_name_version", schema=S)
    op.drop_column("people", "display_name", schema=S)
    op.drop_table("workspaces", schema=S)

"""alert_acks: the acknowledgement trail of alerts (who, when, a note); nodes_seen: master nodes' last posts

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = "brain"


def upgrade() -> None:
    op.create_table(
        "alert_acks",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=False),
        sa.Column("nota", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], [f"{S}.alerts.id"], name=op.f("fk_alert_acks_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_acks")),
        schema=S,
    )
    op.create_index(op.f("ix_brain_alert_acks_alert_id"), "alert_acks", ["alert_id"], schema=S)
    op.create_table(
        "nodes_seen",
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("codigo", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("parcela_id", "codigo", name=op.f("pk_nodes_seen")),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("nodes_seen", schema=S)
    op.drop_table("alert_acks", schema=S)

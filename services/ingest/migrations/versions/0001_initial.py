"""node credentials, plan subscriptions, day counts, outbox and inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "nodes",
        sa.Column("nodo_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("parcela_id", sa.BigInteger(), nullable=False),
        sa.Column("codigo", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("activo", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nodo_id", name=op.f("pk_nodes")),
        schema="ingest",
    )
    op.create_index(op.f("ix_nodes_parcela_id"), "nodes", ["parcela_id"], schema="ingest")
    op.create_index(
        "ix_nodes_token_hash",
        "nodes",
        ["token_hash"],
        schema="ingest",
        postgresql_where=sa.text("token_hash IS NOT NULL"),
    )
    op.create_table(
        "subscriptions",
        sa.Column("suscripcion_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parcela_id", sa.BigInteger(), nullable=False),
        sa.Column("estado", sa.String(length=20), nullable=False),
        sa.Column("limite_lecturas_dia", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("suscripcion_id", name=op.f("pk_subscriptions")),
        schema="ingest",
    )
    op.create_index(op.f("ix_subscriptions_parcela_id"), "subscriptions", ["parcela_id"], schema="ingest")
    op.create_table(
        "day_counts",
        sa.Column("parcela_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("limit_reached_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("parcela_id", "day", name=op.f("pk_day_counts")),
        schema="ingest",
    )


def downgrade() -> None:
    op.drop_table("day_counts", schema="ingest")
    op.drop_table("subscriptions", schema="ingest")
    op.drop_table("nodes", schema="ingest")
    drop_messaging_tables()

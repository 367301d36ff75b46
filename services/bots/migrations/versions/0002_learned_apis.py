"""learned APIs (002's /api/learned-apis)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "bots"


def upgrade() -> None:
    op.create_table(
        "learned_apis",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("credential_header", sa.String(length=100), nullable=True),
        sa.Column("credential_sealed", sa.LargeBinary(), nullable=True),
        sa.Column("operations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("endpoints", sa.Integer(), nullable=False),
        sa.Column("learned_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learned_apis")),
        schema=S,
    )
    op.create_index(op.f("ix_bots_learned_apis_tenant_id"), "learned_apis", ["tenant_id"], unique=False, schema=S)


def downgrade() -> None:
    op.drop_table("learned_apis", schema=S)

"""knowledge embeddings: a base's embedding model, and each chunk's vector where pgvector is
installed (schema `extensions`, by the provisioning step); without it, full-text search only

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "bots"


def upgrade() -> None:
    op.add_column("knowledge_bases", sa.Column("embedding_model", sa.String(length=200), nullable=True), schema=S)
    installed = op.get_bind().scalar(sa.text("SELECT to_regtype('extensions.vector') IS NOT NULL"))
    if installed:
        # No dimension: each base's model decides it (exact search; an HNSW index needs one).
        op.execute(f"ALTER TABLE {S}.chunks ADD COLUMN embedding extensions.vector")


def downgrade() -> None:
    op.execute(f"ALTER TABLE {S}.chunks DROP COLUMN IF EXISTS embedding")
    op.drop_column("knowledge_bases", "embedding_model", schema=S)

"""knowledge bases, documents and chunks (000's /api/v1/knowledge/ and /documents/); bots as
agents (000's /api/v1/agents/): their tools and knowledge bases; citations on answers

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "bots"


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.add_column("bots", sa.Column("tool_names", postgresql.ARRAY(sa.String(length=120)), nullable=True), schema=S)
    op.add_column(
        "bots",
        sa.Column("knowledge_base_ids", postgresql.ARRAY(sa.BigInteger()), server_default="{}", nullable=False),
        schema=S,
    )
    op.add_column("messages", sa.Column("citations", postgresql.JSONB(astext_type=sa.Text()), nullable=True), schema=S)
    op.create_table(
        "knowledge_bases",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_bases")),
        schema=S,
    )
    op.create_index(op.f("ix_bots_knowledge_bases_tenant_id"), "knowledge_bases", ["tenant_id"], schema=S)
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("knowledge_base_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["knowledge_base_id"],
            [f"{S}.knowledge_bases.id"],
            ondelete="CASCADE",
            name=op.f("fk_documents_knowledge_base_id_knowledge_bases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        schema=S,
    )
    op.create_index(op.f("ix_bots_documents_tenant_id"), "documents", ["tenant_id"], schema=S)
    op.create_index(op.f("ix_bots_documents_knowledge_base_id"), "documents", ["knowledge_base_id"], schema=S)
    op.create_table(
        "chunks",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("knowledge_base_id", sa.BigInteger(), nullable=False),
        sa.Column("document_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], [f"{S}.documents.id"], ondelete="CASCADE", name=op.f("fk_chunks_document_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chunks")),
        schema=S,
    )
    op.create_index("ix_chunks_tsv", "chunks", ["tsv"], postgresql_using="gin", schema=S)
    op.create_index("ix_chunks_document", "chunks", ["document_id", "position"], schema=S)
    op.create_index(op.f("ix_bots_chunks_knowledge_base_id"), "chunks", ["knowledge_base_id"], schema=S)


def downgrade() -> None:
    op.drop_table("chunks", schema=S)
    op.drop_table("documents", schema=S)
    op.drop_table("knowledge_bases", schema=S)
    op.drop_column("messages", "citations", schema=S)
    op.drop_column("bots", "knowledge_base_ids", schema=S)
    op.drop_column("bots", "tool_names", schema=S)

"""invitations, API keys, login sessions with their refresh tokens; removed members

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

S = "auth"


def _when(name: str, *, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column("users", _when("removed_at"), schema=S)
    op.create_table(
        "invitations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("role", sa.String(50), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("invited_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _when("expires_at", nullable=False),
        _when("accepted_at"),
        sa.Column("accepted_user_id", sa.BigInteger(), nullable=True),
        _when("revoked_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
        sa.ForeignKeyConstraint(["tenant_id"], [f"{S}.tenants.id"], name=op.f("fk_invitations_tenant_id_tenants")),
        sa.ForeignKeyConstraint(
            ["role"], [f"{S}.roles.nombre"], name=op.f("fk_invitations_role_roles"), onupdate="CASCADE"
        ),
        schema=S,
    )
    op.create_index(op.f("ix_invitations_tenant_id"), "invitations", ["tenant_id"], schema=S)
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("role", sa.String(50), nullable=True),
        sa.Column("permissions", postgresql.JSONB(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _when("expires_at"),
        _when("last_used_at"),
        _when("revoked_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
        sa.ForeignKeyConstraint(["tenant_id"], [f"{S}.tenants.id"], name=op.f("fk_api_keys_tenant_id_tenants")),
        sa.ForeignKeyConstraint(["user_id"], [f"{S}.users.id"], name=op.f("fk_api_keys_user_id_users")),
        sa.ForeignKeyConstraint(
            ["role"], [f"{S}.roles.nombre"], name=op.f("fk_api_keys_role_roles"), onupdate="CASCADE"
        ),
        schema=S,
    )
    op.create_index(op.f("ix_api_keys_tenant_id"), "api_keys", ["tenant_id"], schema=S)
    op.create_index(op.f("ix_api_keys_user_id"), "api_keys", ["user_id"], schema=S)
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _when("revoked_at"),
        sa.Column("revoked_reason", sa.String(20), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.ForeignKeyConstraint(["user_id"], [f"{S}.users.id"], name=op.f("fk_login_sessions_user_id_users")),
        schema=S,
    )
    op.create_index(op.f("ix_login_sessions_user_id"), "login_sessions", ["user_id"], schema=S)
    op.create_table(
        "refresh_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        _when("expires_at", nullable=False),
        _when("used_at"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_refresh_tokens")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            [f"{S}.login_sessions.id"],
            name=op.f("fk_refresh_tokens_session_id_login_sessions"),
            ondelete="CASCADE",
        ),
        schema=S,
    )
    op.create_index(op.f("ix_refresh_tokens_session_id"), "refresh_tokens", ["session_id"], schema=S)


def downgrade() -> None:
    for table in ("refresh_tokens", "login_sessions", "api_keys", "invitations"):
        op.drop_table(table, schema=S)
    op.drop_column("users", "removed_at", schema=S)

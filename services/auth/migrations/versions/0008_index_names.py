"""Index names follow the naming convention (`ix_<schema>_<table>_<column>`), as the models say

Revision ID: 0008
Revises: 0007

The first migrations were written by hand and named their indexes `ix_<table>_<column>`; the
models (and `alembic check`, in tests/test_migrations_match_models.py) name them with the
schema. A rename only: no index is rebuilt.
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = "auth"
OLD_NAMES = [
    "ix_api_keys_tenant_id",
    "ix_api_keys_user_id",
    "ix_invitations_tenant_id",
    "ix_login_names_user_id",
    "ix_login_sessions_user_id",
    "ix_permissions_role_id",
    "ix_prospects_tenant_id",
    "ix_refresh_tokens_session_id",
    "ix_revoked_tokens_user_id",
    "ix_users_tenant_id",
]


def upgrade() -> None:
    for old in OLD_NAMES:
        op.execute(f'ALTER INDEX {S}."{old}" RENAME TO "ix_{S}_{old.removeprefix("ix_")}"')


def downgrade() -> None:
    for old in OLD_NAMES:
        op.execute(f'ALTER INDEX {S}."ix_{S}_{old.removeprefix("ix_")}" RENAME TO "{old}"')

"""Index names follow the naming convention (`ix_<schema>_<table>_<column>`), as the models say

Revision ID: 0003
Revises: 0002

The first migrations were written by hand and named their indexes `ix_<table>_<column>`; the
models (and `alembic check`, in tests/test_migrations_match_models.py) name them with the
schema. A rename only: no index is rebuilt.
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "brain"
OLD_NAMES = [
    "ix_fields_tenant_id",
    "ix_rules_etapa_id",
    "ix_stages_variedad_id",
    "ix_subscriptions_parcela_id",
]


def upgrade() -> None:
    for old in OLD_NAMES:
        op.execute(f'ALTER INDEX {S}."{old}" RENAME TO "ix_{S}_{old.removeprefix("ix_")}"')


def downgrade() -> None:
    for old in OLD_NAMES:
        op.execute(f'ALTER INDEX {S}."ix_{S}_{old.removeprefix("ix_")}" RENAME TO "{old}"')

"""tenant_id is BIGINT, as in auth (one type for a workspace id in every service)

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ["fields", "subscriptions", "master_nodes", "secondary_nodes", "tasks"]


def upgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN tenant_id TYPE BIGINT USING tenant_id::bigint")


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN tenant_id TYPE VARCHAR(64) USING tenant_id::text")

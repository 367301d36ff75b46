"""a field's owner is auth's user id: BIGINT, as in auth

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE fields ALTER COLUMN usuario_id TYPE BIGINT USING usuario_id::bigint")


def downgrade() -> None:
    op.execute("ALTER TABLE fields ALTER COLUMN usuario_id TYPE VARCHAR(64) USING usuario_id::text")

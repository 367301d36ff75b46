"""plans.retencion_*: how long brain keeps a subscribed field's readings, per level

Revision ID: 0004
Revises: 0003

Existing plans take the defaults (README "What is kept, and for how long"); brain learns a
plan's values from the next `agro.subscription.changed` of its fields and applies the same
defaults until then.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMNS = {"retencion_lecturas_dias": "30", "retencion_horaria_meses": "12", "retencion_diaria_anios": "10"}


def upgrade() -> None:
    for name, default in COLUMNS.items():
        op.add_column("plans", sa.Column(name, sa.Integer(), server_default=sa.text(default), nullable=False))


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_column("plans", name)

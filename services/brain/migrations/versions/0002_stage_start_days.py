"""stages.inicio_dias: the start day agro publishes; existing rows get it from their durations

Revision ID: 0002
Revises: 0001

brain looks a field's stage up by the start day agro publishes with each stage; the rows
stored before agro published it are given the value agro would have sent. brain's rows mirror
agro's (same `orden`, `duracion_dias` and ids), so the sum of the earlier live stages'
durations of the variety, in `orden` then id as agro orders them, is exactly that value. Done
once, here, rather than by asking agro to re-publish its catalogue: the upgrade needs nothing
but this migration, and a later event from agro overwrites the value anyway.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = "brain"


def upgrade() -> None:
    op.add_column("stages", sa.Column("inicio_dias", sa.Integer(), nullable=True), schema=S)
    op.execute(f"""
        UPDATE {S}.stages AS stage SET inicio_dias = placed.inicio_dias
        FROM (
            SELECT etapa_id, COALESCE(SUM(duracion_dias) OVER (
                PARTITION BY variedad_id ORDER BY orden, etapa_id
                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ), 0) AS inicio_dias
            FROM {S}.stages
            WHERE NOT deleted
        ) AS placed
        WHERE stage.etapa_id = placed.etapa_id
    """)


def downgrade() -> None:
    op.drop_column("stages", "inicio_dias", schema=S)

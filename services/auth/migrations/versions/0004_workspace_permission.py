"""the `espacio:ver` permission: sees every field of the workspace, not only one's own

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

MODULE = "espacio"
OPERATIONS = ["ver", "crear", "actualizar", "eliminar"]
# Frozen here: the roles that worked on the whole workspace by their name until now.
GRANTED_TO = ["administrador", "tecnico"]


def upgrade() -> None:
    conn = op.get_bind()
    module_id = conn.execute(
        sa.text("INSERT INTO modules (nombre) VALUES (:n) RETURNING id"), {"n": MODULE}
    ).scalar_one()
    operation_ids = {
        name: conn.execute(
            sa.text("INSERT INTO operations (module_id, nombre) VALUES (:m, :n) RETURNING id"),
            {"m": module_id, "n": name},
        ).scalar_one()
        for name in OPERATIONS
    }
    for role in GRANTED_TO:
        conn.execute(
            sa.text(
                "INSERT INTO permissions (role_id, module_id, operation_id) "
                "SELECT id, :m, :o FROM roles WHERE nombre = :r"
            ),
            {"m": module_id, "o": operation_ids["ver"], "r": role},
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM modules WHERE nombre = 'espacio'"))

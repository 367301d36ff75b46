"""one `auth.tenant.upserted` per existing workspace, so a read model built from the stream is complete

Revision ID: 0006
Revises: 0005

The outbox rows are written here and published by the relay once auth starts. The envelope is
spelled out (not built from application code), so this migration does not change when that code does.
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from shared.ids import uuid7

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SUBJECT = "auth.tenant.upserted"


def upgrade() -> None:
    conn = op.get_bind()
    tenants = conn.execute(sa.text("SELECT id, name, is_active FROM tenants ORDER BY id")).all()
    for tenant_id, name, is_active in tenants:
        envelope = {
            "id": str(uuid7()),
            "type": SUBJECT,
            "occurred_at": datetime.now(UTC).isoformat(),
            "tenant_id": tenant_id,
            "source": "auth",
            "request_id": None,
            "data": {"tenant_id": tenant_id, "name": name, "is_active": is_active},
        }
        conn.execute(
            sa.text(
                "INSERT INTO outbox (id, subject, payload) VALUES (CAST(:id AS uuid), :subject, CAST(:p AS jsonb))"
            ),
            {"id": envelope["id"], "subject": SUBJECT, "p": json.dumps(envelope)},
        )


def downgrade() -> None:
    # Published events cannot be unpublished; unsent ones are dropped with the revision.
    op.execute(sa.text(f"DELETE FROM outbox WHERE subject = '{SUBJECT}' AND published_at IS NULL"))

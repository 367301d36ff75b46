"""one namespace for usernames and emails, platform-wide

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_names",
        sa.Column("name", sa.String(254), primary_key=True),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_login_names"),
    )
    op.create_index("ix_login_names_user_id", "login_names", ["user_id"])
    # Existing accounts, oldest first: where two already clash, the older keeps the name
    # (logins resolve through this table from now on, so the clash stops being ambiguous).
    op.execute(
        """
        INSERT INTO login_names (name, user_id)
        SELECT name, user_id FROM (
            SELECT lower(username) AS name, id AS user_id FROM users
            UNION ALL
            SELECT lower(email), id FROM users
        ) AS names
        ORDER BY user_id
        ON CONFLICT (name) DO NOTHING
        """
    )


def downgrade() -> None:
    op.drop_table("login_names")

"""retention: desk settings for notifications and transcripts; guest tokens expire; indexes for the purges

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = "chat"
# What a guest token of a room made before this migration is given: as long as a new one.
GUEST_TOKEN_DAYS = 7


def upgrade() -> None:
    op.add_column(
        "desk_settings",
        sa.Column("notification_retention_days", sa.Integer(), server_default=sa.text("90"), nullable=False),
        schema=S,
    )
    op.add_column("desk_settings", sa.Column("transcript_retention_days", sa.Integer(), nullable=True), schema=S)
    op.add_column("rooms", sa.Column("guest_token_expires_at", sa.DateTime(timezone=True), nullable=True), schema=S)
    op.execute(
        f"UPDATE {S}.rooms SET guest_token_expires_at = created_at + interval '{GUEST_TOKEN_DAYS} days'"
        " WHERE guest_token_hash IS NOT NULL"
    )
    op.create_index(op.f("ix_chat_rooms_guest_token_expires_at"), "rooms", ["guest_token_expires_at"], schema=S)
    op.create_index(op.f("ix_chat_guest_sessions_expires_at"), "guest_sessions", ["expires_at"], schema=S)
    op.create_index(op.f("ix_chat_notifications_created_at"), "notifications", ["created_at"], schema=S)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_notifications_created_at"), "notifications", schema=S)
    op.drop_index(op.f("ix_chat_guest_sessions_expires_at"), "guest_sessions", schema=S)
    op.drop_index(op.f("ix_chat_rooms_guest_token_expires_at"), "rooms", schema=S)
    op.drop_column("rooms", "guest_token_expires_at", schema=S)
    op.drop_column("desk_settings", "transcript_retention_days", schema=S)
    op.drop_column("desk_settings", "notification_retention_days", schema=S)

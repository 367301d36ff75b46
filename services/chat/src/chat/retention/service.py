"""What the desk keeps, and for how long: a workspace's settings, and the purges' passes.

- A guest session (start_chat) is deleted once it expires; a room's guest token stops working
  at `guest_token_expires_at` and its hash is dropped afterwards.
- A notification is deleted `notification_retention_days` after it was made (per workspace).
- A resolved or closed room is deleted whole `transcript_retention_days` after its last change
  (per workspace; null keeps it): messages, notifications, guest sessions, and the guest's
  contact details once no room of theirs is left.

Each pass deletes at most `limit` rows, in the caller's transaction (`chat.retention.jobs`).
"""

from sqlalchemy.ext.asyncio import AsyncSession

from chat.models import NOTIFICATION_RETENTION_DAYS
from chat.retention import repository
from chat.retention.schemas import RetentionRead
from chat.room.repository import delete_rooms


async def settings_of(session: AsyncSession, tenant_id: int) -> RetentionRead:
    found = await repository.settings_of(session, tenant_id)
    if found is None:
        return RetentionRead(notification_retention_days=NOTIFICATION_RETENTION_DAYS, transcript_retention_days=None)
    return RetentionRead(notification_retention_days=found.notification_retention_days,
                         transcript_retention_days=found.transcript_retention_days)  # fmt: skip


async def set_settings(
    session: AsyncSession, *, tenant_id: int, notification_days: int, transcript_days: int | None
) -> RetentionRead:
    await repository.save_settings(
        session, tenant_id, notification_days=notification_days, transcript_days=transcript_days
    )
    return RetentionRead(notification_retention_days=notification_days, transcript_retention_days=transcript_days)


async def purge_guest_sessions(session: AsyncSession, *, limit: int) -> int:
    """Expired guest sessions deleted, and expired guest tokens dropped: rows touched."""
    sessions = await repository.delete_expired_sessions(session, limit=limit)
    return sessions + await repository.drop_expired_tokens(session, limit=limit)


async def purge_notifications(session: AsyncSession, *, limit: int) -> int:
    return await repository.delete_old_notifications(session, limit=limit)


async def purge_transcripts(session: AsyncSession, *, limit: int) -> int:
    """Up to `limit` finished rooms past their workspace's retention, deleted whole: rows removed."""
    rooms = await repository.finished_rooms_past_retention(session, limit=limit)
    return (await delete_rooms(session, rooms)).rows if rooms else 0

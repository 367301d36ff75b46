"""The retention settings' row and the purges' statements, each bounded to one batch."""

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from chat.models import (
    NOTIFICATION_RETENTION_DAYS,
    DeskSettings,
    GuestSession,
    Notification,
    Room,
)
from chat.room.repository import rowcount

FINISHED = ("resolved", "closed")


async def settings_of(session: AsyncSession, tenant_id: int) -> DeskSettings | None:
    return await session.get(DeskSettings, tenant_id)


async def save_settings(
    session: AsyncSession, tenant_id: int, *, notification_days: int, transcript_days: int | None
) -> None:
    values = {"notification_retention_days": notification_days, "transcript_retention_days": transcript_days}
    await session.execute(
        insert(DeskSettings).values(tenant_id=tenant_id, auto_assign=False, **values)
        .on_conflict_do_update(index_elements=[DeskSettings.tenant_id], set_=values)
    )  # fmt: skip


async def delete_expired_sessions(session: AsyncSession, *, limit: int) -> int:
    """Guest sessions past their time (they hold the guest's first message)."""
    doomed = (
        select(GuestSession.id).where(GuestSession.expires_at < func.now()).limit(limit)
        .with_for_update(skip_locked=True)
    )  # fmt: skip
    return await rowcount(session, delete(GuestSession).where(GuestSession.id.in_(doomed.scalar_subquery())))


async def drop_expired_tokens(session: AsyncSession, *, limit: int) -> int:
    """Rooms' guest-token hashes past their time: the credential is gone for good."""
    doomed = (
        select(Room.id)
        .where(Room.guest_token_hash.is_not(None), Room.guest_token_expires_at < func.now())
        .limit(limit).with_for_update(skip_locked=True)
    )  # fmt: skip
    statement = update(Room).where(Room.id.in_(doomed.scalar_subquery())).values(guest_token_hash=None)
    return await rowcount(session, statement)


async def delete_old_notifications(session: AsyncSession, *, limit: int) -> int:
    """Notifications older than their workspace's `notification_retention_days` (the default
    for a workspace that never set it)."""
    days = func.coalesce(DeskSettings.notification_retention_days, NOTIFICATION_RETENTION_DAYS)
    # Nothing younger than the shortest retention of any workspace can go: a range on the
    # created_at index bounds the scan (the last, short batch included).
    shortest = func.least(NOTIFICATION_RETENTION_DAYS, select(func.min(DeskSettings.notification_retention_days))
                          .scalar_subquery())  # fmt: skip
    doomed = (
        select(Notification.id)
        .outerjoin(DeskSettings, DeskSettings.tenant_id == Notification.tenant_id)
        .where(Notification.created_at < func.now() - func.make_interval(0, 0, 0, shortest),
               Notification.created_at < func.now() - func.make_interval(0, 0, 0, days))
        .limit(limit).with_for_update(of=Notification, skip_locked=True)
    )  # fmt: skip
    return await rowcount(session, delete(Notification).where(Notification.id.in_(doomed.scalar_subquery())))


async def finished_rooms_past_retention(session: AsyncSession, *, limit: int) -> Sequence[uuid.UUID]:
    """Resolved or closed rooms whose last change is older than their workspace's
    `transcript_retention_days` (never, where it is null), locked."""
    days = DeskSettings.transcript_retention_days
    return (
        await session.scalars(
            select(Room.id)
            .join(DeskSettings, DeskSettings.tenant_id == Room.tenant_id)
            .where(days.is_not(None), Room.status.in_(FINISHED),
                   Room.updated_at < func.now() - func.make_interval(0, 0, 0, days))
            .limit(limit).with_for_update(of=Room, skip_locked=True)
        )
    ).all()  # fmt: skip

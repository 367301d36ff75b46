"""Deleting rooms whole: a transcript past its retention, or a guest erased."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Executable, delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat.models import ChatUser, GuestSession, Message, Notification, Room


@dataclass(frozen=True)
class Deleted:
    rooms: int
    messages: int
    notifications: int
    sessions: int
    guests: int

    @property
    def rows(self) -> int:
        return self.rooms + self.messages + self.notifications + self.sessions + self.guests


async def rowcount(session: AsyncSession, statement: Executable) -> int:
    """Rows a bulk statement touched; the session's identity map is not kept in step (the
    callers load none of these rows)."""
    statement = statement.execution_options(synchronize_session=False)
    return cast(CursorResult[Any], await session.execute(statement)).rowcount


async def delete_rooms(
    session: AsyncSession, room_ids: Sequence[uuid.UUID], *, guest_ids: Sequence[int] = ()
) -> Deleted:
    """The rooms (the caller holds their locks) with their messages, notifications (the agents'
    about them too) and guest sessions; then the contact details of their guests and of
    `guest_ids` where no room of theirs is left. Counted, so each statement deletes explicitly
    rather than by cascade."""
    guests = {*guest_ids, *(await session.scalars(select(Room.chat_user_id).where(Room.id.in_(room_ids))))}
    messages = await rowcount(session, delete(Message).where(Message.room_id.in_(room_ids)))
    notifications = await rowcount(session, delete(Notification).where(Notification.room_id.in_(room_ids)))
    sessions = await rowcount(session, delete(GuestSession).where(GuestSession.room_id.in_(room_ids)))
    rooms = await rowcount(session, delete(Room).where(Room.id.in_(room_ids)))
    still_used = exists(select(Room.id).where(Room.chat_user_id == ChatUser.id))
    removed_guests = await rowcount(session, delete(ChatUser).where(ChatUser.id.in_(sorted(guests)), ~still_used))
    return Deleted(rooms, messages, notifications, sessions, removed_guests)

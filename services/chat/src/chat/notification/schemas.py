"""003's `/api/notifications/...` (agents) and `/api/user-notifications/...` (guests)."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from shared.validation import InputModel

Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


class NotificationRead(BaseModel):
    id: uuid.UUID
    notification_type: str
    title: str
    message: str
    chat_room: uuid.UUID | None
    is_read: bool
    created_at: datetime


class NotificationList(BaseModel):
    notifications: list[NotificationRead]
    unread_count: int
    total_count: int


class NotificationMarkUpdate(InputModel):
    notification_ids: Ids


class GuestNotificationMarkUpdate(InputModel):
    chat_room_id: uuid.UUID
    notification_ids: Ids | None = None


class NotificationMarkRead(BaseModel):
    success: bool = True
    message: str
    updated_count: int


class UnreadNotificationsRead(BaseModel):
    unread_count: int

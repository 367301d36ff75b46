"""003's `/api/notifications/...` (agents) and `/api/user-notifications/...` (guests)."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from shared.validation import InputModel

Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


class NotificationOut(BaseModel):
    id: uuid.UUID
    notification_type: str
    title: str
    message: str
    chat_room: uuid.UUID | None
    is_read: bool
    created_at: datetime


class NotificationList(BaseModel):
    notifications: list[NotificationOut]
    unread_count: int
    total_count: int


class MarkIn(InputModel):
    notification_ids: Ids


class GuestMarkIn(InputModel):
    chat_room_id: uuid.UUID
    notification_ids: Ids | None = None


class Marked(BaseModel):
    success: bool = True
    message: str
    updated_count: int


class UnreadOut(BaseModel):
    unread_count: int

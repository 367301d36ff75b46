"""003's `/api/notifications/...` (agents) and `/api/user-notifications/...` (guests)."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel

Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


class NotificationRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "c4a8e2f6-1b3d-4f7a-9e5c-8d2b6a4f1e37",
                    "notification_type": "new_chat",
                    "title": "Nuevo chat",
                    "message": "Ana Torres inició un chat",
                    "chat_room": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "is_read": False,
                    "created_at": "2024-01-01T12:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    notification_type: str
    title: str
    message: str
    chat_room: uuid.UUID | None
    is_read: bool
    created_at: datetime


class NotificationList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "notifications": [
                        {
                            "id": "c4a8e2f6-1b3d-4f7a-9e5c-8d2b6a4f1e37",
                            "notification_type": "new_chat",
                            "title": "Nuevo chat",
                            "message": "Ana Torres inició un chat",
                            "chat_room": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "is_read": False,
                            "created_at": "2024-01-01T12:00:00Z",
                        }
                    ],
                    "unread_count": 5,
                    "total_count": 15,
                }
            ]
        }
    )

    notifications: list[NotificationRead]
    unread_count: int
    total_count: int


class NotificationMarkUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"notification_ids": ["c4a8e2f6-1b3d-4f7a-9e5c-8d2b6a4f1e37", "d9b1f3a5-7c2e-4b8d-a6f0-3e5c7a9b1d48"]}
            ]
        }
    )

    notification_ids: Ids


class GuestNotificationMarkUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "notification_ids": [
                        "c4a8e2f6-1b3d-4f7a-9e5c-8d2b6a4f1e37",
                        "d9b1f3a5-7c2e-4b8d-a6f0-3e5c7a9b1d48",
                    ],
                }
            ]
        }
    )

    chat_room_id: uuid.UUID
    notification_ids: Ids | None = None


class NotificationMarkRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"success": True, "message": "2 notificaciones marcadas como leídas", "updated_count": 2}]
        }
    )

    success: bool = True
    message: str
    updated_count: int


class UnreadNotificationsRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"unread_count": 3}]})

    unread_count: int

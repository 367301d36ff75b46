"""003's `/api/messages/...` bodies and answers."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.validation import InputModel

Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


class MessageIn(InputModel):
    chat_room_id: uuid.UUID
    content: Annotated[str, Field(min_length=1, max_length=10_000, examples=["Mensaje del agente"])]
    message_type: Literal["text", "system"] = "text"
    attachment: Annotated[str, Field(max_length=2000)] | None = None


class ReadState(BaseModel):
    id: uuid.UUID
    is_read: bool
    read_at: datetime | None


class MarkedOne(BaseModel):
    success: bool = True
    message: str = "Mensaje marcado como leído"
    data: ReadState


class BulkIn(InputModel):
    message_ids: Ids


class BulkOut(BaseModel):
    success: bool = True
    message: str
    updated_count: int
    total_requested: int
    valid_messages: int


class ChatReadIn(InputModel):
    chat_room_id: uuid.UUID


class ChatReadOut(BaseModel):
    success: bool = True
    message: str
    updated_count: int
    chat_room_id: uuid.UUID
    user_type: Literal["agent"] = "agent"


class UnreadOut(BaseModel):
    unread_count: int


class ByChatOut(BaseModel):
    chat_room_id: uuid.UUID
    messages: list[Any]
    total_messages: int
    auto_marked_read: int
    chat_status: str


class RecentOut(BaseModel):
    recent_messages: list[Any]
    total_returned: int

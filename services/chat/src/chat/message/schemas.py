"""003's `/api/messages/...` bodies and answers."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from shared.validation import InputModel

Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


class MessageCreate(InputModel):
    chat_room_id: uuid.UUID
    content: Annotated[str, Field(min_length=1, max_length=10_000, examples=["Mensaje del agente"])]
    message_type: Literal["text", "system"] = "text"
    attachment: Annotated[str, Field(max_length=2000)] | None = None


class ReadStateRead(BaseModel):
    id: uuid.UUID
    is_read: bool
    read_at: datetime | None


class MarkedMessageRead(BaseModel):
    success: bool = True
    message: str = "Mensaje marcado como leído"
    data: ReadStateRead


class BulkMarkUpdate(InputModel):
    message_ids: Ids


class BulkMarkRead(BaseModel):
    success: bool = True
    message: str
    updated_count: int
    total_requested: int
    valid_messages: int


class ChatMarkUpdate(InputModel):
    chat_room_id: uuid.UUID


class ChatMarkRead(BaseModel):
    success: bool = True
    message: str
    updated_count: int
    chat_room_id: uuid.UUID
    user_type: Literal["agent"] = "agent"


class UnreadMessagesRead(BaseModel):
    unread_count: int


class ChatMessagesRead(BaseModel):
    chat_room_id: uuid.UUID
    messages: list[Any]
    total_messages: int
    auto_marked_read: int
    chat_status: str


class RecentMessagesRead(BaseModel):
    recent_messages: list[Any]
    total_returned: int

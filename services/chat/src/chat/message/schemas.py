"""003's `/api/messages/...` bodies and answers."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel

Ids = Annotated[list[uuid.UUID], Field(min_length=1, max_length=500)]


class MessageCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "content": "Mensaje del agente",
                    "message_type": "text",
                    "attachment": None,
                }
            ]
        }
    )

    chat_room_id: uuid.UUID
    content: Annotated[str, Field(min_length=1, max_length=10_000, examples=["Mensaje del agente"])]
    message_type: Literal["text", "system"] = "text"
    attachment: Annotated[str, Field(max_length=2000)] | None = None


class ReadStateRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": "9b2e4f1a-6c3d-4e8b-a7f5-2c1d9e8b4a61", "is_read": True, "read_at": "2024-01-01T12:00:00Z"}
            ]
        }
    )

    id: uuid.UUID
    is_read: bool
    read_at: datetime | None


class MarkedMessageRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "success": True,
                    "message": "Mensaje marcado como leído",
                    "data": {
                        "id": "9b2e4f1a-6c3d-4e8b-a7f5-2c1d9e8b4a61",
                        "is_read": True,
                        "read_at": "2024-01-01T12:00:00Z",
                    },
                }
            ]
        }
    )

    success: bool = True
    message: str = "Mensaje marcado como leído"
    data: ReadStateRead


class BulkMarkUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message_ids": [
                        "9b2e4f1a-6c3d-4e8b-a7f5-2c1d9e8b4a61",
                        "5a7d3c1e-2b4f-4d6a-8c9e-0f1b3d5e7a92",
                        "0e8c6a4f-7d5b-4e3a-9c1f-6b2d8a0e4c73",
                    ]
                }
            ]
        }
    )

    message_ids: Ids


class BulkMarkRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "success": True,
                    "message": "3 mensajes marcados como leídos",
                    "updated_count": 3,
                    "total_requested": 3,
                    "valid_messages": 3,
                }
            ]
        }
    )

    success: bool = True
    message: str
    updated_count: int
    total_requested: int
    valid_messages: int


class ChatMarkUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90"}]}
    )

    chat_room_id: uuid.UUID


class ChatMarkRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "success": True,
                    "message": "5 mensajes marcados como leídos",
                    "updated_count": 5,
                    "chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "user_type": "agent",
                }
            ]
        }
    )

    success: bool = True
    message: str
    updated_count: int
    chat_room_id: uuid.UUID
    user_type: Literal["agent"] = "agent"


class UnreadMessagesRead(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"unread_count": 3}]})

    unread_count: int


class ChatMessagesRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "messages": [
                        {
                            "id": "5a7d3c1e-2b4f-4d6a-8c9e-0f1b3d5e7a92",
                            "chat_room": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "sender_type": "user",
                            "content": "Mensaje del usuario",
                            "message_type": "text",
                            "is_read": True,
                            "created_at": "2024-01-01T12:00:00Z",
                            "agent_sender": None,
                            "user_sender": {"full_name": "Ana Torres", "email": "ana.torres@ejemplo.com"},
                        },
                        {
                            "id": "9b2e4f1a-6c3d-4e8b-a7f5-2c1d9e8b4a61",
                            "chat_room": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "sender_type": "agent",
                            "content": "Respuesta del agente",
                            "message_type": "text",
                            "is_read": False,
                            "created_at": "2024-01-01T12:05:00Z",
                            "agent_sender": {"id": 1, "user": {"first_name": "Lucía", "last_name": "Quispe"}},
                            "user_sender": None,
                        },
                    ],
                    "total_messages": 2,
                    "auto_marked_read": 1,
                    "chat_status": "active",
                }
            ]
        }
    )

    chat_room_id: uuid.UUID
    messages: list[Any]
    total_messages: int
    auto_marked_read: int
    chat_status: str


class RecentMessagesRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "recent_messages": [
                        {
                            "id": "9b2e4f1a-6c3d-4e8b-a7f5-2c1d9e8b4a61",
                            "chat_room": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "sender_type": "agent",
                            "content": "Respuesta del agente",
                            "message_type": "text",
                            "is_read": False,
                            "created_at": "2024-01-01T12:05:00Z",
                            "agent_sender": {"id": 1, "user": {"first_name": "Lucía", "last_name": "Quispe"}},
                            "user_sender": None,
                        }
                    ],
                    "total_returned": 1,
                }
            ]
        }
    )

    recent_messages: list[Any]
    total_returned: int

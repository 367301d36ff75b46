"""003's chat rooms, their messages and its `{"chats": [...], "pagination": {...}}` pages."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import INT64_MAX, InputModel

Status = Literal["waiting", "active", "resolved", "closed"]
Priority = Literal["high", "medium", "low"]
MessageType = Literal["text", "system"]
AgentId = Annotated[int, Field(ge=1, le=INT64_MAX, examples=[1])]


class ChatUserRead(BaseModel):
    id: int
    full_name: str
    email: str
    phone_number: str


class ChatUserBriefRead(BaseModel):
    full_name: str
    email: str


class AgentNameRead(BaseModel):
    first_name: str
    last_name: str


class AgentBriefRead(BaseModel):
    id: int
    user: AgentNameRead


class MessageRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
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
            ]
        }
    )

    id: uuid.UUID
    chat_room: uuid.UUID
    sender_type: Literal["user", "agent", "system"]
    content: str
    message_type: str
    is_read: bool
    created_at: datetime
    agent_sender: AgentBriefRead | None = None
    user_sender: ChatUserBriefRead | None = None


class RoomRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "chat_user": {
                        "id": 7,
                        "full_name": "Ana Torres",
                        "email": "ana.torres@ejemplo.com",
                        "phone_number": "+51987654321",
                    },
                    "initial_message": "Hola, necesito ayuda",
                    "status": "active",
                    "priority": "medium",
                    "agent": {"id": 1, "user": {"first_name": "Lucía", "last_name": "Quispe"}},
                    "created_at": "2024-01-01T12:00:00Z",
                    "updated_at": "2024-01-01T12:05:00Z",
                    "unread_messages_count": 0,
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
                        }
                    ],
                }
            ]
        }
    )

    id: uuid.UUID
    chat_user: ChatUserRead
    initial_message: str
    status: Status
    priority: Priority
    agent: AgentBriefRead | None
    created_at: datetime
    updated_at: datetime
    unread_messages_count: int
    messages: list[MessageRead] | None = None


class WaitingRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "chat_user": {"full_name": "Ana Torres", "email": "ana.torres@ejemplo.com"},
                    "initial_message": "Hola, necesito ayuda",
                    "created_at": "2024-01-01T12:00:00Z",
                    "priority": "high",
                    "waiting_time_minutes": 15,
                }
            ]
        }
    )

    id: uuid.UUID
    chat_user: ChatUserBriefRead
    initial_message: str
    created_at: datetime
    priority: Priority
    waiting_time_minutes: int


class PaginationRead(BaseModel):
    current_page: int
    total_pages: int
    total_chats: int
    has_next: bool
    has_previous: bool


class RoomList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chats": [
                        {
                            "id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "chat_user": {
                                "id": 7,
                                "full_name": "Ana Torres",
                                "email": "ana.torres@ejemplo.com",
                                "phone_number": "+51987654321",
                            },
                            "initial_message": "Hola, necesito ayuda",
                            "status": "waiting",
                            "priority": "medium",
                            "agent": None,
                            "created_at": "2024-01-01T12:00:00Z",
                            "updated_at": "2024-01-01T12:00:00Z",
                            "unread_messages_count": 3,
                            "messages": None,
                        }
                    ],
                    "pagination": {
                        "current_page": 1,
                        "total_pages": 5,
                        "total_chats": 95,
                        "has_next": True,
                        "has_previous": False,
                    },
                }
            ]
        }
    )

    chats: list[RoomRead]
    pagination: PaginationRead


class WaitingList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chats": [
                        {
                            "id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "chat_user": {"full_name": "Ana Torres", "email": "ana.torres@ejemplo.com"},
                            "initial_message": "Hola, necesito ayuda",
                            "created_at": "2024-01-01T12:00:00Z",
                            "priority": "high",
                            "waiting_time_minutes": 15,
                        }
                    ],
                    "pagination": {
                        "current_page": 1,
                        "total_pages": 3,
                        "total_chats": 125,
                        "has_next": True,
                        "has_previous": False,
                    },
                }
            ]
        }
    )

    chats: list[WaitingRead]
    pagination: PaginationRead


class MyAgentRead(BaseModel):
    id: int
    name: str
    current_chats: int


class MyRoomList(RoomList):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chats": [
                        {
                            "id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "chat_user": {
                                "id": 7,
                                "full_name": "Ana Torres",
                                "email": "ana.torres@ejemplo.com",
                                "phone_number": "+51987654321",
                            },
                            "initial_message": "Hola, necesito ayuda",
                            "status": "active",
                            "priority": "medium",
                            "agent": {"id": 1, "user": {"first_name": "Lucía", "last_name": "Quispe"}},
                            "created_at": "2024-01-01T12:00:00Z",
                            "updated_at": "2024-01-01T12:05:00Z",
                            "unread_messages_count": 0,
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
                                }
                            ],
                        }
                    ],
                    "pagination": {
                        "current_page": 1,
                        "total_pages": 2,
                        "total_chats": 35,
                        "has_next": True,
                        "has_previous": False,
                    },
                    "agent": {"id": 1, "name": "Lucía Quispe", "current_chats": 3},
                }
            ]
        }
    )

    agent: MyAgentRead


class AgentMessageCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"content": "Respuesta del agente", "message_type": "text"}]}
    )

    content: Annotated[str, Field(min_length=1, max_length=10_000, examples=["Respuesta del agente"])]
    message_type: MessageType = "text"


class AssignmentUpdate(InputModel):
    """The agent a supervisor assigns the chat to, or the one it is transferred to."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"agent_id": 2}]})

    agent_id: AgentId


class TypingUpdate(InputModel):
    """Beyond 003: the caller is typing in the room, or stopped."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"is_typing": True}]})

    is_typing: bool = True

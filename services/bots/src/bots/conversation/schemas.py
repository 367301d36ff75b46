"""002's conversations. A conversation's id is "conv_<n>", as 002 writes it."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel

Title = Annotated[str, Field(min_length=1, max_length=200, examples=["Nueva conversación"])]


class ConversationCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Nueva conversación"}]})

    title: Title = "Nueva conversación"
    # A bot of the workspace whose system prompt and toolbox answer in this conversation.
    bot_id: int | None = Field(default=None, ge=1)


class ConversationUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"title": "Gestión de AWS"}]})

    title: Title


class ConversationRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "conv_123",
                    "title": "Gestión de AWS",
                    "bot_id": None,
                    "created_at": "2024-01-15T10:30:00Z",
                    "updated_at": "2024-01-15T11:45:00Z",
                    "message_count": 12,
                }
            ]
        }
    )

    id: str
    title: str
    bot_id: int | None
    created_at: datetime
    updated_at: datetime
    message_count: int


class ConversationList(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conversations": [
                        {
                            "id": "conv_123",
                            "title": "Gestión de AWS",
                            "bot_id": None,
                            "created_at": "2024-01-15T10:30:00Z",
                            "updated_at": "2024-01-15T11:45:00Z",
                            "message_count": 12,
                        }
                    ]
                }
            ]
        }
    )

    conversations: list[ConversationRead]


class MessageRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "role": "user",
                    "content": "Lista las instancias",
                    "timestamp": "2024-01-15T10:30:00Z",
                    "tool_calls": None,
                    "status": "complete",
                    "model": None,
                    "citations": None,
                }
            ]
        }
    )

    role: str
    content: str
    timestamp: datetime
    tool_calls: list[dict[str, Any]] | None = None
    # complete | streaming | interrupted | failed (assistant messages)
    status: str
    model: str | None = None
    # The knowledge chunks the answer drew from (document, chunk, offsets).
    citations: list[dict[str, Any]] | None = None


class ConversationDetailRead(ConversationRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "conv_123",
                    "title": "Gestión de AWS",
                    "bot_id": None,
                    "created_at": "2024-01-15T10:30:00Z",
                    "updated_at": "2024-01-15T11:45:00Z",
                    "message_count": 2,
                    "messages": [
                        {
                            "role": "user",
                            "content": "Lista las instancias",
                            "timestamp": "2024-01-15T10:30:00Z",
                            "tool_calls": None,
                            "status": "complete",
                            "model": None,
                            "citations": None,
                        },
                        {
                            "role": "assistant",
                            "content": "Encontré 5 instancias...",
                            "timestamp": "2024-01-15T10:30:05Z",
                            "tool_calls": [
                                {"id": "call_1", "tool": "list_ec2_instances", "params": {}, "status": "done"}
                            ],
                            "status": "complete",
                            "model": "gpt-4o",
                            "citations": None,
                        },
                    ],
                }
            ]
        }
    )

    messages: list[MessageRead]
